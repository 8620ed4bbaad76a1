"""A person named at the command line (`meetings add --host`, `meetings attendance --member`, the plan file's
host column): an employee number, else a full name, else
part of one. A name that fits several people is refused naming them, so the operator can pick the number;
names can be limited to a meeting's invitees."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import members
from storage.errors import Refused
from storage.models.org import Member

SHOWN = 8  # candidates named in the refusal


async def named(session: AsyncSession, text: str | None, unknown: str, among: set[int] | None = None) -> Member:
    """The one member `text` names: active ones, or when `among` is given those members whatever their
    state; refused with `unknown` when nobody fits, and with the candidates when several do."""
    value = (text or "").strip()
    if not value:
        raise Refused(unknown, value=value)
    exact = await members.by_employee_no(session, value)
    if exact is not None and (exact.active or among is not None):  # an invitee who has left is still theirs
        return exact
    query = select(Member).order_by(Member.employee_no)
    query = query.where(Member.active.is_(True)) if among is None else query.where(Member.id.in_(among))
    found = list((await session.execute(query.where(Member.name == value))).scalars())
    if not found:
        found = list((await session.execute(
            query.where(Member.name.contains(value, autoescape=True)).limit(SHOWN + 1))).scalars())
    if not found:
        raise Refused(unknown, value=value)
    if len(found) > 1:
        raise Refused("orglife_ambiguous_person", value=value,
                      candidates=[f"{m.name}（{m.employee_no}）" for m in found[:SHOWN]], more=len(found) > SHOWN)
    return found[0]
