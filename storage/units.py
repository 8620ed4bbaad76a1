"""Departments and Party branches as one tree: lookup, creation by name, and subtrees."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.org import Unit


async def by_name(session: AsyncSession, kind: str, name: str) -> Unit | None:
    return (await session.execute(select(Unit).where(Unit.kind == kind, Unit.name == name))).scalar_one_or_none()


async def find_any(session: AsyncSession, name: str) -> Unit | None:
    """A unit by name, department first, then branch (for columns that may name either)."""
    return await by_name(session, "department", name) or await by_name(session, "branch", name)


async def ensure(session: AsyncSession, kind: str, path: str) -> Unit:
    """`path` is a name, or `parent/child` to place the unit in the tree; created as named."""
    parent = None
    unit = None
    for name in [p.strip() for p in path.split("/") if p.strip()]:
        unit = await by_name(session, kind, name)
        if unit is None:
            unit = Unit(kind=kind, name=name, parent_id=parent.id if parent else None)
            session.add(unit)
            await session.flush()
        parent = unit
    assert unit is not None
    return unit


def leaf_name(path: str) -> str:
    return [p.strip() for p in path.split("/") if p.strip()][-1]


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
    ids = set(ids)
    if not ids:
        return {}
    return dict((await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))).all())
