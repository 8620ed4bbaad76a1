"""Micro-lessons (微党课): authoring, the push at publish time, "learned", reminders and a member's list.

The schedule is rows: a lesson waits as `scheduled` until its time, then the `lessons.publish` producer
snapshots the audience into assignments and writes one outbox row per member (a long lesson is one row of
several messages, so it arrives whole and in order), all in one transaction. "Learned" counts only after
the minimum reading time since delivery, and delivery is the push row's `sent_at` in the outbox.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from messages.buttons import lessons as lesson_buttons
from storage import audiences, audit, bulk, calendar, members, outbox, producers
from storage.lessons import kpi as lessons_kpi
from storage.lessons import points as lessons_points
from storage.context import Context
from storage.errors import Refused
from storage.lessons.framing import framed, framing
from storage.lessons.markdown import ParsedLesson, split_html, to_html
from storage.lessons.models import PUBLISHED, SCHEDULED, Lesson, LessonAssignment
from storage.models.org import Member
from storage.models.outbox import Outbox
from storage.tabular import parse_datetime

CHARS_PER_MINUTE = 300
MIN_READ_FLOOR, MIN_READ_CEILING = 10, 900  # default reading time bounds, seconds
MIN_READ_MAX = 3600  # what an author may ask for
DEFAULT_HOUR = time(9)  # a date without a time means 09:00 local
CHUNK = 500


# --- authoring -------------------------------------------------------------------------------------

def default_min_read(parsed: ParsedLesson) -> int:
    """About 300 characters a minute, within sensible bounds."""
    seconds = math.ceil(parsed.plain_length * 60 / CHARS_PER_MINUTE)
    return max(MIN_READ_FLOOR, min(MIN_READ_CEILING, seconds))


def parse_when(text: str, ctx: Context) -> datetime:
    """`now`/`立即`, a date with an optional time (a date alone means 09:00 local), or ISO 8601 with an offset,
    as aware UTC."""
    value = (text or "").strip()
    if value.lower() in ("now", "立即", "现在"):
        return ctx.now()
    moment = calendar.parse_moment(value, ctx, DEFAULT_HOUR)
    if moment is None:
        raise Refused("lesson_bad_time", value=value)
    return moment


def parse_due(text: str) -> date:
    parsed = parse_datetime((text or "").strip())
    if parsed is None or parsed[1] is not None:
        raise Refused("lesson_bad_due", value=text)
    return parsed[0]


async def audience_size(session: AsyncSession, audience: str) -> int:
    condition = await audiences.member_filter(session, audience)
    return (await session.execute(select(func.count(Member.id)).where(condition))).scalar_one()


async def create(session: AsyncSession, ctx: Context, parsed: ParsedLesson, *, audience: str,
                 publish_at: datetime | None = None, due_on: date | None = None, min_read: int | None = None,
                 author_id: int | None = None, remind_after_days: int = 2, remind_before_due_days: int = 1,
                 pass_percent: int = 60) -> Lesson:
    """Store a checked lesson to be published at `publish_at` (now when None); refuses what cannot work."""
    audience = await audiences.validate(session, audience)
    if await audience_size(session, audience) == 0:
        raise Refused("lesson_audience_empty", audience=audience)
    now = ctx.now()
    publish_at = publish_at or now
    if publish_at < now - timedelta(minutes=1):
        raise Refused("lesson_at_past", at=calendar.local(publish_at, ctx))
    if due_on is not None and due_on < calendar.local(publish_at, ctx).date():
        raise Refused("lesson_due_before", due=due_on, at=calendar.local(publish_at, ctx))
    if min_read is None:
        min_read = default_min_read(parsed)
    if not 0 <= min_read <= MIN_READ_MAX:
        raise Refused("lesson_bad_min_read", value=min_read, limit=MIN_READ_MAX)
    if remind_after_days < 0 or remind_before_due_days < 0:
        raise Refused("lesson_bad_reminder")
    if not 1 <= pass_percent <= 100:
        raise Refused("lesson_bad_pass", value=pass_percent)
    lesson = Lesson(title=parsed.title, body=parsed.body, quiz=parsed.quiz, audience=audience,
                    publish_at=publish_at, due_on=due_on, min_read_seconds=min_read, pass_percent=pass_percent,
                    remind_after_days=remind_after_days, remind_before_due_days=remind_before_due_days,
                    status=SCHEDULED, author_id=author_id, created_at=now)
    session.add(lesson)
    await session.flush()
    audit.record(session, ctx, "lesson.created", "lesson", lesson.id, actor_id=author_id, audience=audience)
    return lesson


# --- what members receive ----------------------------------------------------------------------------

def push_key(lesson_id: int, member_id: int) -> str:
    return f"lesson:{lesson_id}:push:{member_id}"


def keyboard(lesson: Lesson, lang: str, *, reopen: bool = False) -> list[list[dict]]:
    row = [lesson_buttons.lesson(render(lang, "lesson_button_learned"), lesson.id, lesson_buttons.LEARNED)]
    if lesson.quiz:
        row.append(lesson_buttons.lesson(render(lang, "lesson_button_quiz"), lesson.id, lesson_buttons.QUIZ))
    rows = [row]
    if reopen:
        rows.append([lesson_buttons.lesson(render(lang, "lesson_button_open"), lesson.id, lesson_buttons.OPEN)])
    return rows


def lesson_parts(lesson: Lesson, lang: str) -> list[str]:
    """The lesson as Telegram messages: header, body and footer, split at the limit, never mid-tag."""
    header = render(lang, "lesson_push_header", title=lesson.title, due=lesson.due_on,
                    minutes=max(1, math.ceil(lesson.min_read_seconds / 60)), questions=len(lesson.quiz))
    footer = render(lang, "lesson_push_footer", quiz=bool(lesson.quiz), due=lesson.due_on)
    return split_html(f"{header}\n\n{to_html(lesson.body)}\n\n{footer}")


def push_messages(lesson: Lesson, lang: str) -> list[dict]:
    parts = lesson_parts(lesson, lang)
    kb = keyboard(lesson, lang)
    return [outbox.message(p, kb if i == len(parts) - 1 else None) for i, p in enumerate(parts)]


def _reminder_times(lesson: Lesson, ctx: Context) -> None:
    published = lesson.published_at
    lesson.closes_at = (calendar.at_local(lesson.due_on + timedelta(days=1), time(0), ctx)
                        if lesson.due_on else None)
    due_at = None
    if lesson.due_on and lesson.remind_before_due_days > 0:
        due_at = calendar.at_local(lesson.due_on - timedelta(days=lesson.remind_before_due_days), DEFAULT_HOUR, ctx)
        if due_at <= published:
            due_at = None
    after_at = published + timedelta(days=lesson.remind_after_days) if lesson.remind_after_days > 0 else None
    if after_at and lesson.closes_at and after_at >= lesson.closes_at:
        after_at = None
    lesson.remind_due_at, lesson.remind_after_at = due_at, after_at


async def publish(session: AsyncSession, ctx: Context, lesson: Lesson) -> int:
    """Snapshot the audience and queue the push for each member; returns outbox rows written."""
    now = ctx.now()
    condition = await audiences.member_filter(session, lesson.audience)
    people = (await session.execute(
        select(Member.id, Member.unit_id, Member.branch_id, Member.chat_id, Member.reachable, Member.language)
        .where(condition).order_by(Member.id)
    )).all()
    reach = {p.id for p in people if p.chat_id is not None and p.reachable}
    rows = [{"lesson_id": lesson.id, "member_id": p.id, "unit_id": p.unit_id, "branch_id": p.branch_id,
             "assigned_at": now, "pushed_at": now if p.id in reach else None, "quiz_right": []}
            for p in people]
    await bulk.insert_new(session, LessonAssignment, rows, ["lesson_id", "member_id"])
    lesson.status, lesson.published_at = PUBLISHED, now
    _reminder_times(lesson, ctx)
    not_before = calendar.after_quiet(now, ctx)
    by_lang: dict[str, list[dict]] = {}
    out = []
    for p in people:
        if p.id not in reach:
            continue
        messages = by_lang.get(p.language) or by_lang.setdefault(p.language, push_messages(lesson, p.language))
        out.append(outbox.row(ctx, key=push_key(lesson.id, p.id), chat_id=p.chat_id, member_id=p.id,
                              messages=messages, kind="lesson.push", not_before=not_before))
    written = await outbox.enqueue_many(session, out)
    audit.record(session, ctx, "lesson.published", "lesson", lesson.id, audience=len(people), pushed=written)
    return written


@producers.producer("lessons.publish")
async def publish_due(session: AsyncSession, ctx: Context) -> int:
    """Publish every scheduled lesson whose time has come (a second replica skips the locked ones)."""
    due = (await session.execute(
        select(Lesson).where(Lesson.status == SCHEDULED, Lesson.publish_at <= ctx.now())
        .order_by(Lesson.publish_at, Lesson.id).limit(10).with_for_update(skip_locked=True)
    )).scalars().all()
    written = 0
    for lesson in due:
        written += await publish(session, ctx, lesson)
    return written


@producers.producer("lessons.catch_up")
async def catch_up(session: AsyncSession, ctx: Context) -> int:
    """Members of an open lesson's audience who had no chat at publish time get it once they register."""
    now = ctx.now()
    pending = (await session.execute(
        select(LessonAssignment, Lesson, Member)
        .join(Lesson, Lesson.id == LessonAssignment.lesson_id)
        .join(Member, Member.id == LessonAssignment.member_id)
        .where(LessonAssignment.pushed_at.is_(None), LessonAssignment.learned_at.is_(None),
               Lesson.status == PUBLISHED, (Lesson.closes_at.is_(None)) | (Lesson.closes_at > now),
               Member.chat_id.is_not(None), Member.reachable.is_(True), Member.active.is_(True))
        .order_by(LessonAssignment.id).limit(CHUNK)
    )).all()
    rows = []
    cache: dict[tuple[int, str], list[dict]] = {}
    frames: dict[int, tuple] = {}
    for a, lesson, member in pending:
        a.pushed_at = now
        if lesson.id not in frames:  # an assigned lesson's line before and files after (make-up study)
            frames[lesson.id] = await framing(session, ctx, lesson)
        key = (lesson.id, member.language)
        messages = cache.get(key) or cache.setdefault(
            key, framed(push_messages(lesson, member.language), member.language, *frames[lesson.id]))
        rows.append(outbox.row(ctx, key=push_key(lesson.id, member.id), chat_id=member.chat_id,
                               member_id=member.id, messages=messages, kind="lesson.push",
                               not_before=calendar.after_quiet(now, ctx)))
    return await outbox.enqueue_many(session, rows)


# --- learning ----------------------------------------------------------------------------------------

async def assignment_of(session: AsyncSession, member: Member, lesson_id: int) -> tuple[LessonAssignment, Lesson]:
    """This member's place in a lesson's audience; anyone else is refused, whatever they pressed."""
    found = (await session.execute(
        select(LessonAssignment, Lesson).join(Lesson, Lesson.id == LessonAssignment.lesson_id)
        .where(LessonAssignment.lesson_id == lesson_id, LessonAssignment.member_id == member.id,
               Lesson.status == PUBLISHED)
    )).first()
    if found is None:
        raise Refused("lesson_not_yours")
    return found[0], found[1]


async def delivered_at(session: AsyncSession, lesson_id: int, member_id: int) -> datetime | None:
    return (await session.execute(
        select(Outbox.sent_at).where(Outbox.dedupe_key == push_key(lesson_id, member_id))
    )).scalar_one_or_none()


@dataclass
class Learned:
    """What pressing "learned" did: `status` is learned, already or keep_reading."""

    status: str
    lesson: Lesson
    points: int = 0
    wait_seconds: int = 0


async def complete(session: AsyncSession, ctx: Context, a: LessonAssignment, via: str) -> int:
    """Mark learned once (a double press or a second replica finds it done); returns points credited."""
    result = await session.execute(
        update(LessonAssignment).where(LessonAssignment.id == a.id, LessonAssignment.learned_at.is_(None))
        .values(learned_at=ctx.now(), learned_via=via)
    )
    if (result.rowcount or 0) == 0:
        return 0
    a.learned_at, a.learned_via = ctx.now(), via
    return await lessons_points.award(session, ctx, a.member_id, a.lesson_id, "learned", lessons_points.LEARNED)


async def mark_learned(session: AsyncSession, ctx: Context, member: Member, lesson_id: int) -> Learned:
    a, lesson = await assignment_of(session, member, lesson_id)
    if a.learned_at is not None:
        return Learned("already", lesson)
    delivered = await delivered_at(session, lesson.id, member.id)
    ready_at = (delivered or ctx.now()) + timedelta(seconds=lesson.min_read_seconds)
    if delivered is None or ctx.now() < ready_at:
        wait = lesson.min_read_seconds if delivered is None else (ready_at - ctx.now()).total_seconds()
        return Learned("keep_reading", lesson, wait_seconds=max(1, math.ceil(wait)))
    points = await complete(session, ctx, a, "read")
    audit.record(session, ctx, "lesson.learned", "lesson", lesson.id, actor_id=member.id)
    return Learned("learned", lesson, points=points)


async def open_lesson(session: AsyncSession, ctx: Context, member: Member, lesson_id: int) -> tuple[Lesson, list[str]]:
    """The lesson again, for a member of its audience (from /lessons or a reminder)."""
    _, lesson = await assignment_of(session, member, lesson_id)
    return lesson, lesson_parts(lesson, member.language)


# --- reminders ---------------------------------------------------------------------------------------

def _reminder(lesson: Lesson, lang: str, stage: str, today: date) -> list[dict]:
    days_left = (lesson.due_on - today).days if lesson.due_on else None
    text = render(lang, "lesson_reminder", title=lesson.title, due=lesson.due_on, stage=stage,
                  quiz=bool(lesson.quiz), days_left=days_left)
    return [outbox.message(text, keyboard(lesson, lang, reopen=True))]


async def _read_long_enough(session: AsyncSession, now: datetime):
    """"After N days" counts from each member's own delivery: someone who registered late and was just
    caught up is not nagged the same day. N is per lesson, so one condition per distinct N in play."""
    days = (await session.execute(
        select(Lesson.remind_after_days).distinct()
        .where(Lesson.status == PUBLISHED, Lesson.remind_after_at <= now)
    )).scalars().all()
    return or_(false(), *((Lesson.remind_after_days == d) & (LessonAssignment.pushed_at <= now - timedelta(days=d))
                          for d in days))


@producers.producer("lessons.reminders")
async def remind(session: AsyncSession, ctx: Context) -> int:
    """Remind members who have not learned: once after N days, once the day before the due date; at most
    twice, never in quiet hours (the next tick after them sends what is due)."""
    now = ctx.now()
    if calendar.is_quiet(now, ctx):
        return 0
    base = (select(LessonAssignment, Lesson, Member)
            .join(Lesson, Lesson.id == LessonAssignment.lesson_id)
            .join(Member, Member.id == LessonAssignment.member_id)
            .where(Lesson.status == PUBLISHED, LessonAssignment.learned_at.is_(None),
                   LessonAssignment.pushed_at.is_not(None), Member.active.is_(True),
                   Member.chat_id.is_not(None), Member.reachable.is_(True),
                   (Lesson.closes_at.is_(None)) | (Lesson.closes_at > now))
            .order_by(LessonAssignment.id).limit(2000))
    due_stage = base.where(Lesson.remind_due_at <= now, LessonAssignment.reminded_due_at.is_(None))
    # The earlier reminder is skipped once the due-date one is due: two at once would only nag.
    after_stage = base.where(Lesson.remind_after_at <= now, LessonAssignment.reminded_after_at.is_(None),
                             LessonAssignment.reminded_due_at.is_(None),
                             (Lesson.remind_due_at.is_(None)) | (Lesson.remind_due_at > now),
                             await _read_long_enough(session, now))
    rows = []
    for stage, query, column in (("due", due_stage, "reminded_due_at"), ("after", after_stage, "reminded_after_at")):
        cache: dict[tuple[int, str], list[dict]] = {}
        for a, lesson, member in (await session.execute(query)).all():
            setattr(a, column, now)
            key = (lesson.id, member.language)
            messages = cache.get(key) or cache.setdefault(
                key, _reminder(lesson, member.language, stage, calendar.local(now, ctx).date()))
            rows.append(outbox.row(ctx, key=f"lesson:{lesson.id}:remind:{stage}:{member.id}",
                                   chat_id=member.chat_id, member_id=member.id, messages=messages,
                                   kind="lesson.reminder"))
        await session.flush()
    return await outbox.enqueue_many(session, rows)


# --- a member's list ---------------------------------------------------------------------------------

@dataclass
class Overview:
    pending: list[dict]
    learned: list[dict]
    points_total: int
    points_today: int
    staff: list[dict] | None  # per recent lesson, the coverage of the member's branches (staff only)


async def overview(session: AsyncSession, ctx: Context, member: Member, *, limit: int = 10) -> Overview:
    rows = (await session.execute(
        select(LessonAssignment, Lesson).join(Lesson, Lesson.id == LessonAssignment.lesson_id)
        .where(LessonAssignment.member_id == member.id, Lesson.status == PUBLISHED)
        .order_by(Lesson.published_at.desc(), Lesson.id.desc())
    )).all()
    pending, learned = [], []
    for a, lesson in rows:
        item = {"id": lesson.id, "title": lesson.title, "due": lesson.due_on, "quiz": bool(lesson.quiz),
                "score": a.first_score, "learned_at": calendar.local(a.learned_at, ctx) if a.learned_at else None}
        (learned if a.learned_at else pending).append(item)
    total, today = await lessons_points.totals(session, ctx, member.id)
    staff = None
    if member.is_staff:
        scope = await members.staff_unit_ids(session, member)
        staff = await lessons_kpi.recent_coverage(session, ctx, unit_ids=scope)
    return Overview(pending[:limit], learned[:limit], total, today, staff)

