"""/newmeeting for a branch secretary or an admin: the branch (asked only of someone who answers for several,
offered as buttons), kind, time, place (or online link), topic, host, one answer at a time, each checked as it
comes and kept in a dialog row; the meeting itself is made by `rules.plan`, which checks everything again."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage import dialogs, members, picker
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.orglife.models import Meeting
from storage.orglife.rules import (PLACE_MAX, TOPIC_MAX, Plan, branch_named, check_kind, clean, may_plan, plan,
                                   year_branches)
from storage.orglife.when import parse_at

KIND = "orglife_new"
STEPS = ("branch", "kind", "at", "place", "topic", "host")


async def begin(session: AsyncSession, ctx: Context, member: Member, lang: str = "zh") -> tuple[str | None, list]:
    """Start the flow: (the branch's name, []) for someone who answers for one branch, else (None, the branches
    as buttons) and the first question is which one (typing a name works too, past the buttons' limit)."""
    allowed = await year_branches(session, member)
    if not allowed:
        raise Refused("orglife_no_branch")
    if len(allowed) == 1:
        await dialogs.start(session, ctx, member.id, KIND, "kind", {"branch": allowed[0].path})
        return allowed[0].name, []
    await dialogs.start(session, ctx, member.id, KIND, "branch", {})
    scope = await members.staff_unit_ids(session, member)
    return None, await picker.unit_keyboard(session, lang, "branch", kind="branch", scope=scope)


async def answer(session: AsyncSession, ctx: Context, step: str, text: str,
                 lang: str = "zh", member: Member | None = None) -> tuple[str, dict]:
    """Check one answer; the next step and what to keep. The host is a name, part of one or an employee
    number (a secretary rarely knows the numbers); several matches come back as buttons."""
    if step == "branch":
        branch = await branch_named(session, text)
        if member is not None and not await may_plan(session, member, branch):
            raise Refused("orglife_not_your_branch", branch=branch.name)
        return "kind", {"branch": branch.path}
    if step == "kind":
        return "at", {"kind": check_kind(text)}
    if step == "at":
        moment = parse_at(text, ctx)
        return "place", {"at": moment.isoformat()}
    if step == "place":
        return "topic", {"place": clean(text, PLACE_MAX, "orglife_bad_place")}
    if step == "topic":
        return "host", {"topic": clean(text, TOPIC_MAX, "orglife_bad_topic")}
    if step == "host":
        host = await picker.resolve_member(session, lang, text, step)
        return "done", {"host_no": host.employee_no}
    raise Refused("button_expired")


async def finish(session: AsyncSession, ctx: Context, member: Member, data: dict) -> tuple[Meeting, int] | Refused:
    """Make the meeting; the flow ends either way (a refusal here writes nothing)."""
    spec = Plan(branch=data["branch"], kind=data["kind"], at=data["at"], place=data["place"], topic=data["topic"],
                host_no=data.get("host_no"))
    try:
        async with session.begin_nested():
            made = await plan(session, ctx, spec, member)
    except Refused as refused:
        await dialogs.clear(session, member.id)
        return refused
    await dialogs.clear(session, member.id)
    return made
