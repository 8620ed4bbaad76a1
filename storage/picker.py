"""Picking people and units in chat: a name, part of a name or an employee number answers with the matching
members as buttons ("王芳 · 生产部 · 1002"); a question about a unit shows the units as buttons. A pressed
candidate answers the open flow as if its code had been typed (`typed_for`), so every flow keeps one check."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from messages.buttons import audience as audience_buttons
from messages.buttons import picker as pick_buttons
from storage.errors import Choose, Refused
from storage.models.org import ROLES, Member, Unit

MAX_CANDIDATES = 8
UNIT_BUTTONS = 24
NONE_TEXT = "无"


async def find_members(session: AsyncSession, text: str, limit: int = MAX_CANDIDATES + 1) -> list[Member]:
    """Active members whose employee number is `text` (that one only), else whose name contains it."""
    text = (text or "").strip()
    if not text:
        return []
    exact = (await session.execute(
        select(Member).where(Member.employee_no == text, Member.active.is_(True)))).scalar_one_or_none()
    if exact is not None:
        return [exact]
    return list((await session.execute(
        select(Member).where(Member.active.is_(True), Member.name.contains(text, autoescape=True))
        .order_by(Member.name, Member.employee_no).limit(limit))).scalars())


async def member_label(session: AsyncSession, lang: str, found: list[Member]) -> list[str]:
    unit_ids = {m.unit_id for m in found if m.unit_id is not None}
    names = dict((await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))).all()
                 ) if unit_ids else {}
    return [render(lang, "picker_member_button", name=m.name, unit=names.get(m.unit_id, ""), no=m.employee_no)
            for m in found]


async def resolve_member(session: AsyncSession, lang: str, text: str, step: str) -> Member:
    """The one member `text` names; none, too many or several (offered as buttons) are refused."""
    text = (text or "").strip()
    found = await find_members(session, text)
    if not found:
        raise Refused("picker_no_member", value=text)
    if len(found) == 1:
        return found[0]
    if len(found) > MAX_CANDIDATES:
        raise Refused("picker_too_many", value=text, limit=MAX_CANDIDATES)
    labels = await member_label(session, lang, found)
    raise Choose("picker_choose_member", [[pick_buttons.member(label, m.id, step)] for label, m in zip(labels, found)],
                 value=text, count=len(found))


async def unit_keyboard(session: AsyncSession, lang: str, step: str, kind: str | None = "department",
                        scope: set[int] | None = None, none: bool = False) -> list[list[dict]]:
    """The units (of `kind`, within `scope` when given) as buttons, three a row; "none" last when asked."""
    query = select(Unit.id, Unit.name).order_by(Unit.path)
    if kind is not None:
        query = query.where(Unit.kind == kind)
    if scope is not None:
        query = query.where(Unit.id.in_(scope))
    found = (await session.execute(query.limit(UNIT_BUTTONS))).all()
    row_buttons = [pick_buttons.unit(name, uid, step) for uid, name in found]
    if none:
        row_buttons.append(pick_buttons.none(render(lang, "picker_none_button"), step))
    return [row_buttons[i:i + 3] for i in range(0, len(row_buttons), 3)]


async def typed_for(session: AsyncSession, obj_id: str, kind: str) -> str:
    """What a pressed candidate stands for, as the flow reads typed text: an employee number, a unit's path,
    or "无"; a member who left or a unit that is gone is an expired button."""
    if kind == pick_buttons.NONE:
        return NONE_TEXT
    try:
        number = int(obj_id)
    except ValueError:
        raise Refused("button_expired") from None
    if kind == pick_buttons.MEMBER:
        found = await session.get(Member, number)
        if found is None or not found.active:
            raise Refused("button_expired")
        return found.employee_no
    if kind == pick_buttons.UNIT:
        unit = await session.get(Unit, number)
        if unit is None:
            raise Refused("button_expired")
        return unit.path
    raise Refused("button_expired")


# --- audiences ----------------------------------------------------------------------------------------

async def audience_list(session: AsyncSession, lang: str, which: str) -> list[list[dict]]:
    """The list behind 部门… / 支部… / 角色…: the departments, the branches or the roles as buttons."""
    if which == audience_buttons.ROLES_LIST:
        return [[audience_buttons.role(render(lang, "audience_button", name=r), r) for r in ROLES]]
    if which not in (audience_buttons.UNITS, audience_buttons.BRANCHES):
        raise Refused("button_expired")
    branch = which == audience_buttons.BRANCHES
    found = (await session.execute(select(Unit.id, Unit.name).where(
        Unit.kind == ("branch" if branch else "department")).order_by(Unit.path).limit(UNIT_BUTTONS))).all()
    row_buttons = [audience_buttons.unit(name, uid, branch) for uid, name in found]
    return [row_buttons[i:i + 3] for i in range(0, len(row_buttons), 3)]


async def audience_for(session: AsyncSession, obj_id: str, action: str) -> str:
    """The audience a final choice stands for, written as one would type it (`unit:<path>`, `role:secretary`)."""
    if action in (audience_buttons.ALL, audience_buttons.PARTY):
        return action
    if action.startswith(audience_buttons.ROLE) and action[len(audience_buttons.ROLE):] in ROLES:
        return "role:" + action[len(audience_buttons.ROLE):]
    if action in (audience_buttons.UNIT, audience_buttons.BRANCH):
        try:
            unit = await session.get(Unit, int(obj_id))
        except ValueError:
            unit = None
        kind = "branch" if action == audience_buttons.BRANCH else "department"
        if unit is None or unit.kind != kind:
            raise Refused("button_expired")
        return ("branch:" if kind == "branch" else "unit:") + unit.path
    raise Refused("button_expired")
