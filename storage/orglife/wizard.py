"""/newmeeting for a branch secretary: kind, time, place (or online link), topic, host, one answer at a time,
each checked as it comes and kept in a dialog row; the meeting itself is made by `rules.plan`, which checks
everything again."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage import dialogs, picker
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.orglife.models import Meeting
from storage.orglife.rules import (PLACE_MAX, TOPIC_MAX, Plan, check_kind, clean, own_branch, parse_at, plan)

KIND = "orglife_new"
STEPS = ("kind", "at", "place", "topic", "host")


async def begin(session: AsyncSession, ctx: Context, member: Member) -> str:
    branch = await own_branch(session, member)
    await dialogs.start(session, ctx, member.id, KIND, "kind", {"branch": branch.path})
    return branch.name


async def answer(session: AsyncSession, ctx: Context, step: str, text: str,
                 lang: str = "zh") -> tuple[str, dict]:
    """Check one answer; the next step and what to keep. The host is a name, part of one or an employee
    number (a secretary rarely knows the numbers); several matches come back as buttons."""
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
