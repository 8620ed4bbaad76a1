"""The minutes of a meeting: the host (or the branch's secretary) sends them as text or a document once the
meeting has started (they are the material of the make-up lesson, storage.orglife.makeup); from the day
after the meeting, the host and the secretaries are reminded once a day until they exist. How many days the minutes are due after the meeting is `orglife config --minutes-days`."""
from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from messages.buttons import Prefix, button
from messages.buttons import orglife as orglife_buttons
from storage import calendar, members, outbox, producers, settings
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member, Unit
from storage.orglife.makeup import assign as assign_makeup
from storage.orglife.models import PLANNED, Meeting
from storage.orglife.rules import host_of

SETTING = "orglife.minutes_days"
DEFAULT_DAYS = 3
REMIND_AT = time(9, 0)
MINUTES_MAX = 4000


async def minutes_days(session: AsyncSession) -> int:
    value = await settings.get(session, SETTING)
    return int(value) if value and value.isdigit() else DEFAULT_DAYS


async def set_minutes_days(session: AsyncSession, days: int) -> None:
    if not 1 <= days <= 60:
        raise Refused("orglife_bad_minutes_days", value=days)
    await settings.put(session, SETTING, str(days))


async def may_send_minutes(session: AsyncSession, ctx: Context, member: Member, meeting_id: int) -> Meeting:
    meeting = await host_of(session, member, meeting_id)
    if ctx.now() < meeting.starts_at:
        raise Refused("orglife_not_started")
    return meeting


async def record_minutes(session: AsyncSession, ctx: Context, member: Member, meeting_id: int, *,
                         text: str | None = None, file_id: str | None = None,
                         file_name: str | None = None) -> Meeting:
    meeting = await may_send_minutes(session, ctx, member, meeting_id)
    body = (text or "").strip()
    if not body and not file_id:
        raise Refused("orglife_minutes_required")
    if len(body) > MINUTES_MAX:
        raise Refused("orglife_minutes_too_long", limit=MINUTES_MAX)
    meeting.minutes_text, meeting.minutes_file_id = body or None, file_id
    meeting.minutes_file_name, meeting.minutes_by, meeting.minutes_at = file_name, member.id, ctx.now()
    await assign_makeup(session, ctx, meeting)  # once the meeting has ended (else the tick does, at its end)
    return meeting


@producers.producer("orglife.minutes")
async def minutes_reminders(session: AsyncSession, ctx: Context) -> int:
    """Once a day from the day after a meeting, to its host and the branch's secretaries, until minutes exist."""
    now, today = ctx.now(), ctx.local_now().date()
    if ctx.local_now().time() < REMIND_AT:
        return 0
    days = await minutes_days(session)
    waiting = (await session.execute(select(Meeting).where(
        Meeting.status == PLANNED, Meeting.minutes_at.is_(None),
        Meeting.ends_at <= calendar.at_local(today, time(0), ctx)))).scalars().all()
    written = 0
    for meeting in waiting:
        branch = await session.get(Unit, meeting.branch_id)
        due = calendar.local(meeting.starts_at, ctx).date() + timedelta(days=days)
        people = {m.id: m for m in await members.secretaries_for_unit(session, branch.id)}
        if meeting.host_id is not None:
            host = await session.get(Member, meeting.host_id)
            people.setdefault(host.id, host)
        for person in people.values():
            text = render(person.language, "orglife_minutes_reminder", kind=meeting.kind, topic=meeting.topic,
                          branch=branch.name, starts=calendar.local(meeting.starts_at, ctx), due=due,
                          late=today > due)
            keyboard = [[button(render(person.language, "orglife_button", which="minutes"), Prefix.ORGLIFE,
                                meeting.id, "minutes"),
                         orglife_buttons.roll(render(person.language, "orglife_button", which="roll"), meeting.id)]]
            written += await outbox.to_member(session, ctx, person,
                                              key=f"orglife:{meeting.id}:minutes:{today.isoformat()}:{person.id}",
                                              messages=[outbox.message(text, keyboard)], kind="orglife.reminder",
                                              not_before=calendar.after_quiet(now, ctx))
    return written
