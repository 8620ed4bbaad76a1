"""Departments and Party branches as one tree: lookup by path (or an unambiguous name), creation by path,
and subtrees."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import Refused
from storage.models.org import Unit


def split_path(path: str) -> list[str]:
    return [p.strip() for p in (path or "").split("/") if p.strip()]


async def by_path(session: AsyncSession, kind: str, path: str) -> Unit | None:
    return (await session.execute(
        select(Unit).where(Unit.kind == kind, Unit.path == "/".join(split_path(path))))).scalar_one_or_none()


async def by_name(session: AsyncSession, kind: str, text: str) -> Unit | None:
    """A unit named by its path (`Plant2/Office`), or by a bare name that only one unit of the kind has.

    A bare name several units share is refused (`unit_ambiguous`), naming their paths."""
    parts = split_path(text)
    if not parts:
        return None
    if len(parts) > 1:
        return await by_path(session, kind, "/".join(parts))
    found = list((await session.execute(
        select(Unit).where(Unit.kind == kind, Unit.name == parts[0]).order_by(Unit.path))).scalars())
    if len(found) > 1:
        raise Refused("unit_ambiguous", name=parts[0], candidates=[u.path for u in found])
    return found[0] if found else None


async def find_any(session: AsyncSession, name: str) -> Unit | None:
    """A unit by path or name, department first, then branch (for columns that may name either)."""
    return await by_name(session, "department", name) or await by_name(session, "branch", name)


async def ensure(session: AsyncSession, kind: str, path: str) -> Unit:
    """The unit at `path` (`parent/child`), made with any missing unit above it."""
    parts = split_path(path)
    parent = None
    unit = None
    for depth, name in enumerate(parts, start=1):
        here = "/".join(parts[:depth])
        unit = await by_path(session, kind, here)
        if unit is None:
            unit = Unit(kind=kind, name=name, path=here, parent_id=parent.id if parent else None)
            session.add(unit)
            await session.flush()
        parent = unit
    assert unit is not None
    return unit


def leaf_name(path: str) -> str:
    return split_path(path)[-1]


async def subtree_ids(session: AsyncSession, root_ids: set[int]) -> set[int]:
    """The given units and every unit below them."""
    rows = (await session.execute(select(Unit.id, Unit.parent_id))).all()
    children: dict[int, list[int]] = {}
    for uid, parent in rows:
        if parent is not None:
            children.setdefault(parent, []).append(uid)
    seen, stack = set(), list(root_ids)
    while stack:
        uid = stack.pop()
        if uid in seen:
            continue
        seen.add(uid)
        stack.extend(children.get(uid, ()))
    return seen


async def ancestor_ids(session: AsyncSession, unit_id: int) -> set[int]:
    """The unit and every unit above it."""
    parents = dict((await session.execute(select(Unit.id, Unit.parent_id))).all())
    seen: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in seen:
        seen.add(current)
        current = parents.get(current)
    return seen


async def names(session: AsyncSession, ids) -> dict[int, str]:
    """Each unit as people see it: its path (the name alone for a unit at the top)."""
    ids = set(ids)
    if not ids:
        return {}
    return dict((await session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(ids)))).all())
