"""Make-up study (补学): members invited to a meeting who were not there (on leave or absent) get its material as
a micro-lesson assigned to them (storage.lessons.assign), due `orglife config --makeup-days` days later; it
counts as made up once they learn it.

When: once the meeting has ended and its minutes exist, the minutes are the material. Minutes recorded after
the end assign it at once; minutes recorded during the meeting are picked up by the tick once it has ended.
A later correction of attendance moves a member in (now not present) or out (now present, not yet learned).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import calendar, lessons, outbox, producers, settings
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member, Unit
from storage.orglife.models import PLANNED, Attendance, Invitation, Meeting

SETTING = "orglife.makeup_days"
DEFAULT_DAYS = 14
LATELY = timedelta(days=2)
Notice = Callable[[str], str]
Attached = Callable[[str], list[dict]] | None


async def makeup_days(session: AsyncSession) -> int:
    value = await settings.get(session, SETTING)
    return int(value) if value and value.isdigit() else DEFAULT_DAYS


async def set_makeup_days(session: AsyncSession, days: int) -> None:
    if not 1 <= days <= 90:
        raise Refused("orglife_bad_makeup_days", value=days)
    await settings.put(session, SETTING, str(days))


async def missed_ids(session: AsyncSession, meeting_id: int) -> list[int]:
    """Invited members still with us and with no attendance marked present: on leave or absent."""
    present = select(Attendance.member_id).where(Attendance.meeting_id == meeting_id, Attendance.present.is_(True))
    return list((await session.execute(select(Invitation.member_id)
                                       .join(Member, Member.id == Invitation.member_id).where(
        Invitation.meeting_id == meeting_id, Invitation.member_id.not_in(present), Member.active.is_(True))
        .order_by(Invitation.member_id))).scalars())


def _material(meeting: Meeting) -> str:
    # Minutes sent as a document are named in the lesson; the file itself follows the lesson (`_intro`).
    return meeting.minutes_text or f"📎 {meeting.minutes_file_name or meeting.topic}"


async def _intro(session: AsyncSession, ctx: Context, meeting: Meeting, due) -> tuple[Unit, Notice, Attached]:
    """The meeting's branch, the notice sent just before the lesson and, when the minutes were sent as a
    document, that document re-sent by its Telegram file id right after the lesson; in the reader's language."""
    branch = await session.get(Unit, meeting.branch_id)
    starts = calendar.local(meeting.starts_at, ctx)
    file = (meeting.minutes_file_name or meeting.topic) if meeting.minutes_file_id else None

    def intro(lang: str) -> str:
        return render(lang, "orglife_makeup_assigned", kind=meeting.kind, topic=meeting.topic, branch=branch.name,
                      starts=starts, due=due, file=file)

    def attached(lang: str) -> list[dict]:
        caption = render(lang, "orglife_minutes_caption", kind=meeting.kind, topic=meeting.topic, file=file)
        return [outbox.attachment("document", meeting.minutes_file_id, caption)]

    return branch, intro, attached if file else None


async def assign(session: AsyncSession, ctx: Context, meeting: Meeting) -> int:
    """Make the meeting's make-up lesson for those who missed it, once; returns members assigned. The meeting's
    row is locked and read again first: two replicas' ticks (or a tick and a correction) make one lesson."""
    await session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    await session.refresh(meeting)
    if (meeting.makeup_lesson_id is not None or meeting.minutes_at is None or meeting.status != PLANNED
            or ctx.now() < meeting.ends_at):
        return 0
    missed = await missed_ids(session, meeting.id)
    if not missed:
        return 0
    due = ctx.local_now().date() + timedelta(days=await makeup_days(session))
    branch, intro, attached = await _intro(session, ctx, meeting, due)
    lesson = await lessons.assign(session, ctx, title=f"{meeting.kind}·{meeting.topic}", body=_material(meeting),
                                  audience=f"branch:{branch.path}", member_ids=missed, due_on=due,
                                  author_id=meeting.minutes_by, intro=intro, attached=attached)
    meeting.makeup_lesson_id = lesson.id
    return len(missed)


async def follow(session: AsyncSession, ctx: Context, meeting: Meeting, member: Member, present: bool) -> None:
    """After a correction: the member leaves the make-up (now present) or joins it (now not present)."""
    if meeting.makeup_lesson_id is None:
        await assign(session, ctx, meeting)
        return
    if present:
        await lessons.remove_member(session, meeting.makeup_lesson_id, member.id)
        return
    lesson = await session.get(lessons.Lesson, meeting.makeup_lesson_id)
    _, intro, attached = await _intro(session, ctx, meeting, lesson.due_on)
    await lessons.add_members(session, ctx, lesson, [member.id], intro, attached)


@lessons.framer
async def _framing(session: AsyncSession, ctx: Context, lesson) -> tuple | None:
    """A make-up lesson pushed to someone who registered after it was assigned names the meeting too."""
    meeting = (await session.execute(select(Meeting).where(Meeting.makeup_lesson_id == lesson.id))).scalar_one_or_none()
    if meeting is None:
        return None
    _, intro, attached = await _intro(session, ctx, meeting, lesson.due_on)
    return intro, attached


async def made_up(session: AsyncSession, meeting_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{meeting id: (assigned, learned)} of the make-up lessons of these meetings."""
    if not meeting_ids:
        return {}
    rows = (await session.execute(
        select(Meeting.id, func.count(lessons.LessonAssignment.id), func.count(lessons.LessonAssignment.learned_at))
        .join(lessons.LessonAssignment, lessons.LessonAssignment.lesson_id == Meeting.makeup_lesson_id)
        .where(Meeting.id.in_(meeting_ids)).group_by(Meeting.id))).all()
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


@producers.producer("orglife.makeup")
async def makeup_due(session: AsyncSession, ctx: Context) -> int:
    """Meetings that ended lately with minutes and no make-up yet (minutes sent during the meeting). Only
    lately: a meeting everyone attended never gets one, and a later correction assigns it itself."""
    now = ctx.now()
    waiting = (await session.execute(select(Meeting).where(
        Meeting.status == PLANNED, Meeting.makeup_lesson_id.is_(None), Meeting.minutes_at.is_not(None),
        Meeting.ends_at <= now, Meeting.ends_at > now - LATELY).order_by(Meeting.id).limit(50))).scalars().all()
    return sum([await assign(session, ctx, m) for m in waiting])
