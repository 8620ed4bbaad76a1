"""Who has not studied a lesson, and one press to remind them all (一键提醒), from /lessons's coverage.

Staff see only their own people: a secretary the members of their department and branch (as snapshotted
when the lesson was published), an admin everyone. The reminder goes through the outbox in the reminders
lane and waits out the quiet hours; a lesson is reminded once a local day per scope (`LessonNudge`, with
who pressed), and a member gets at most one such reminder a day per lesson whoever presses.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from messages.buttons import lessons as lesson_buttons
from storage import audit, bulk, calendar, members, outbox, units
from storage.context import Context
from storage.errors import Refused
from storage.lessons.models import PUBLISHED, Lesson, LessonAssignment, LessonNudge
from storage.lessons.rules import keyboard
from storage.models.org import Member

SHOWN = 80  # names listed in one message; the rest are counted
BUTTONS = 5  # lessons offered in /lessons's coverage view


@dataclass
class Unlearned:
    """What the coverage view shows for one lesson: who in the viewer's scope has not studied it."""

    lesson_id: int
    title: str
    audience: int  # in scope
    people: list[dict]  # {"name", "unit", "registered"}, the first SHOWN
    missing: int  # how many have not studied (all of them, not only those shown)
    reachable: int  # how many of them a reminder can reach (registered, not blocked, not the viewer)
    closed: bool
    nudged_by: str | None  # today's reminder in this scope, if any
    nudged_at: datetime | None
    nudged_count: int = 0


async def _scope(session: AsyncSession, member: Member) -> tuple[set[int] | None, str]:
    """(unit ids whose members the viewer answers for, None for all; the key the once-a-day rule uses)."""
    if not member.is_staff:
        raise Refused("not_allowed")
    unit_ids = await members.staff_unit_ids(session, member)
    if unit_ids is None:
        return None, "all"
    roots = sorted(uid for uid in (member.unit_id, member.branch_id) if uid is not None)
    return unit_ids, "units:" + ",".join(map(str, roots))


def _in_scope(unit_ids: set[int] | None):
    if unit_ids is None:
        return true()
    ids = list(unit_ids)
    return or_(LessonAssignment.unit_id.in_(ids), LessonAssignment.branch_id.in_(ids))


async def _lesson(session: AsyncSession, lesson_id) -> Lesson:
    try:
        lesson = await session.get(Lesson, int(lesson_id))
    except (TypeError, ValueError):
        lesson = None
    if lesson is None or lesson.status != PUBLISHED:
        raise Refused("lesson_nudge_not_yours")
    return lesson


async def _today(session: AsyncSession, ctx: Context, lesson_id: int, scope: str) -> LessonNudge | None:
    today = calendar.local(ctx.now(), ctx).date()
    return (await session.execute(
        select(LessonNudge).where(LessonNudge.lesson_id == lesson_id, LessonNudge.scope == scope,
                                  LessonNudge.day == today)
    )).scalar_one_or_none()


async def _rows(session: AsyncSession, lesson_id: int, unit_ids: set[int] | None):
    """(assignment, member) of the lesson's audience in scope, active members only, by name."""
    return (await session.execute(
        select(LessonAssignment, Member).join(Member, Member.id == LessonAssignment.member_id)
        .where(LessonAssignment.lesson_id == lesson_id, _in_scope(unit_ids), Member.active.is_(True))
        .order_by(Member.name, Member.id)
    )).all()


def _reachable(m: Member) -> bool:
    return m.chat_id is not None and m.reachable


async def unlearned(session: AsyncSession, ctx: Context, member: Member, lesson_id) -> Unlearned:
    """The lesson's non-learners in the viewer's scope; a lesson with nobody in scope is not theirs."""
    unit_ids, scope = await _scope(session, member)
    lesson = await _lesson(session, lesson_id)
    rows = await _rows(session, lesson.id, unit_ids)
    if not rows:
        raise Refused("lesson_nudge_not_yours")
    missing = [(a, m) for a, m in rows if a.learned_at is None]
    names = await units.names(session, {m.unit_id for _, m in missing[:SHOWN] if m.unit_id is not None})
    people = [{"name": m.name, "unit": names.get(m.unit_id), "registered": _reachable(m)}
              for _, m in missing[:SHOWN]]
    done = await _today(session, ctx, lesson.id, scope)
    by = await session.get(Member, done.by_id) if done is not None and done.by_id else None
    closed = lesson.closes_at is not None and lesson.closes_at <= ctx.now()
    return Unlearned(lesson.id, lesson.title, len(rows), people, len(missing),
                     sum(1 for _, m in missing if _reachable(m) and m.id != member.id), closed,
                     (by.name if by else "") if done is not None else None,
                     calendar.local(done.at, ctx) if done is not None else None,
                     done.reminded if done is not None else 0)


async def remind_unlearned(session: AsyncSession, ctx: Context, member: Member, lesson_id) -> int:
    """Queue a reminder to every reachable non-learner in scope; returns how many. Refused a second time
    the same local day in the same scope (naming who did it), for a closed lesson and with nobody to remind."""
    unit_ids, scope = await _scope(session, member)
    lesson = await _lesson(session, lesson_id)
    rows = await _rows(session, lesson.id, unit_ids)
    if not rows:
        raise Refused("lesson_nudge_not_yours")
    now = ctx.now()
    if lesson.closes_at is not None and lesson.closes_at <= now:
        raise Refused("lesson_nudge_closed", title=lesson.title)
    today = calendar.local(now, ctx).date()
    # Whoever presses is listed if they have not studied it either, but is not sent "张伟 提醒您" by themself.
    targets = [m for a, m in rows if a.learned_at is None and _reachable(m) and m.id != member.id]
    # The day's row is claimed before anything is queued: a second press at the same moment (another
    # secretary, another replica) waits for the first to commit and is told who reminded.
    claimed = (await session.execute(bulk.dialect_insert(session)(LessonNudge).values(
        lesson_id=lesson.id, scope=scope, day=today, by_id=member.id, at=now, reminded=0)
        .on_conflict_do_nothing(index_elements=["lesson_id", "scope", "day"]))).rowcount
    if not claimed:
        done = await _today(session, ctx, lesson.id, scope)
        first = await session.get(Member, done.by_id) if done.by_id else None
        raise Refused("lesson_nudged_today", title=lesson.title, by=first.name if first else "",
                      at=calendar.local(done.at, ctx))
    if not targets:
        raise Refused("lesson_nudge_nobody", title=lesson.title)  # the claim is rolled back with the refusal
    not_before = calendar.after_quiet(now, ctx)
    cache: dict[str, list[dict]] = {}
    out = []
    for m in targets:
        messages = cache.get(m.language) or cache.setdefault(m.language, [outbox.message(
            render(m.language, "lesson_nudge_to_member", title=lesson.title, due=lesson.due_on, by=member.name,
                   quiz=bool(lesson.quiz)),
            keyboard(lesson, m.language, reopen=True))])
        out.append(outbox.row(ctx, key=f"lesson:{lesson.id}:nudge:{m.id}:{today.isoformat()}", chat_id=m.chat_id,
                              member_id=m.id, messages=messages, kind="lesson.nudge", not_before=not_before))
    written = await outbox.enqueue_many(session, out)
    (await _today(session, ctx, lesson.id, scope)).reminded = written
    audit.record(session, ctx, "lesson.nudged", "lesson", lesson.id, actor_id=member.id, scope=scope,
                 reminded=written)
    return written


async def coverage_keyboard(session: AsyncSession, member: Member, lang: str,
                            staff: list[dict] | None) -> list[list[dict]] | None:
    """Under /lessons's coverage (staff): one "who has not studied" button per recent lesson with anyone
    left, counted as the list will show them (active members of the viewer's scope)."""
    if not staff or not member.is_staff:
        return None
    unit_ids, _ = await _scope(session, member)
    missing = dict((await session.execute(
        select(LessonAssignment.lesson_id, func.count(LessonAssignment.id))
        .join(Member, Member.id == LessonAssignment.member_id)
        .where(LessonAssignment.lesson_id.in_([item["id"] for item in staff]), _in_scope(unit_ids),
               LessonAssignment.learned_at.is_(None), Member.active.is_(True))
        .group_by(LessonAssignment.lesson_id)
    )).all())
    rows = [[lesson_buttons.lesson(render(lang, "lesson_unlearned_button", title=item["title"],
                                          missing=missing[item["id"]]), item["id"], lesson_buttons.UNLEARNED)]
            for item in staff if missing.get(item["id"])]
    return rows[:BUTTONS] or None


def unlearned_keyboard(lang: str, view: Unlearned) -> list[list[dict]] | None:
    """The one 一键提醒 button, while someone can still be reminded."""
    if view.closed or view.reachable == 0:
        return None
    return [[lesson_buttons.lesson(render(lang, "lesson_nudge_button", count=view.reachable), view.lesson_id,
                                   lesson_buttons.NUDGE)]]
