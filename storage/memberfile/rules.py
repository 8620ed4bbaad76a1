"""一人一档: one member's file for the year, as a secretary of their units, an admin or the member reads it.

Only rows that name the member are read: lessons learned and quiz scores, points, survey completions (a
count, from `survey_completions`, which says "done" and nothing else), tasks owned, reception bookings, and
feedback tickets they signed (`anonymous` false and `writer_member_id` theirs). Anonymous tickets and every
survey answer have no column that leads here, and this module never reads those tables' answers.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import calendar, feedback, lessons, members, picker, reception, surveys, tasks, units
from storage.context import Context
from storage.errors import Choose, Refused
from storage.models.org import Member
from messages.buttons import members as member_buttons

LIST_LIMIT = 10  # per section in chat; the export lists everything


def year_bounds(ctx: Context, year: int | None = None) -> tuple[int, datetime, datetime]:
    """(year, start, end) of a calendar year in the organisation's zone, as aware datetimes."""
    year = year or ctx.local_now().year
    return (year, datetime.combine(date(year, 1, 1), time(0), tzinfo=ctx.tz),
            datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=ctx.tz))


async def visible(session: AsyncSession, viewer: Member, member: Member) -> bool:
    """Admins see everyone, a secretary the members of their units, anyone themselves."""
    if viewer.id == member.id:
        return True
    if not viewer.is_staff:
        return False
    scope = await members.staff_unit_ids(session, viewer)
    return scope is None or bool({member.unit_id, member.branch_id} & scope)


async def resolve(session: AsyncSession, viewer: Member, lang: str, text: str) -> Member:
    """The member `text` names for /member: an employee number (active or not), else part of a name among the
    members the viewer may see; several are offered as buttons, none is refused."""
    if not viewer.is_staff:
        raise Refused("not_allowed")
    text = (text or "").strip()
    if not text:
        raise Refused("member_usage")
    exact = await members.by_employee_no(session, text)
    if exact is not None:
        if not await visible(session, viewer, exact):
            raise Refused("member_not_found", no=text)
        return exact
    scope = await members.staff_unit_ids(session, viewer)  # once, not per candidate
    found = [m for m in await picker.find_members(session, text, limit=200)
             if scope is None or {m.unit_id, m.branch_id} & scope]
    if not found:
        raise Refused("member_not_found", no=text)
    if len(found) == 1:
        return found[0]
    if len(found) > picker.MAX_CANDIDATES:
        raise Refused("picker_too_many", value=text, limit=picker.MAX_CANDIDATES)
    labels = await picker.member_label(session, lang, found)
    raise Choose("picker_choose_member", [[member_buttons.member(label, m.id, member_buttons.SHOW)]
                                          for label, m in zip(labels, found)], value=text, count=len(found))


async def by_id(session: AsyncSession, viewer: Member, member_id) -> Member:
    """The member a pressed candidate names, re-checked against who presses."""
    try:
        member = await session.get(Member, int(member_id))
    except ValueError:
        member = None
    if member is None or not viewer.is_staff or not await visible(session, viewer, member):
        raise Refused("button_expired")
    return member


async def build(session: AsyncSession, ctx: Context, member: Member, lang: str, *, year: int | None = None,
                limit: int | None = LIST_LIMIT) -> dict:
    """The member's file for `year` (this year by default): what the card, /me and the export show."""
    year, start, end = year_bounds(ctx, year)
    names = await units.names(session, [u for u in (member.unit_id, member.branch_id) if u is not None])
    learned = await _lessons(session, ctx, member.id, start, end)
    owned = await _tasks(session, ctx, member.id, start, end)
    bookings = await _bookings(session, ctx, member.id, start, end)
    tickets = await _tickets(session, lang, member.id, start.date(), end.date())
    cut = (lambda rows: rows[:limit]) if limit else (lambda rows: rows)
    quiz_scores = [item["score"] for item in learned if item["score"] is not None]
    return {
        "year": year, "id": member.id, "no": member.employee_no, "name": member.name,
        "unit": names.get(member.unit_id, ""), "branch": names.get(member.branch_id, ""),
        "lessons_learned": len(learned), "lessons": cut(learned), "quizzes": len(quiz_scores),
        "quiz_avg": round(sum(quiz_scores) / len(quiz_scores), 1) if quiz_scores else None,
        "points_year": await _points(session, member.id, start.date(), end.date()),
        "points_total": (await lessons.totals(session, ctx, member.id))[0],
        "surveys_done": await _surveys_done(session, member.id, start, end),
        "tasks": cut(owned["items"]), "tasks_owned": len(owned["items"]), "tasks_due": owned["due"],
        "tasks_on_time": owned["on_time"], "tasks_open": owned["open"],
        "on_time_rate": owned["on_time"] / owned["due"] if owned["due"] else None,
        "bookings": cut(bookings), "bookings_count": len(bookings),
        "tickets": cut(tickets), "tickets_count": len(tickets),
    }


async def _lessons(session, ctx, member_id, start, end) -> list[dict]:
    rows = (await session.execute(
        select(lessons.Lesson.title, lessons.LessonAssignment.learned_at, lessons.LessonAssignment.first_score,
               lessons.Lesson.quiz)
        .join(lessons.Lesson, lessons.Lesson.id == lessons.LessonAssignment.lesson_id)
        .where(lessons.LessonAssignment.member_id == member_id, lessons.LessonAssignment.learned_at >= start,
               lessons.LessonAssignment.learned_at < end)
        .order_by(lessons.LessonAssignment.learned_at.desc()))).all()
    return [{"title": title, "learned_on": calendar.local(at, ctx).date(),
             "score": score if quiz else None} for title, at, score, quiz in rows]


async def _points(session, member_id, start: date, end: date) -> int:
    return int((await session.execute(
        select(func.coalesce(func.sum(lessons.LessonPoints.points), 0))
        .where(lessons.LessonPoints.member_id == member_id, lessons.LessonPoints.day >= start,
               lessons.LessonPoints.day < end))).scalar_one())


async def _surveys_done(session, member_id, start, end) -> int:
    """Surveys of the year the member completed: a count from the completion flags, never an answer."""
    return int((await session.execute(
        select(func.count()).select_from(surveys.SurveyCompletion)
        .join(surveys.Survey, surveys.Survey.id == surveys.SurveyCompletion.survey_id)
        .where(surveys.SurveyCompletion.member_id == member_id, surveys.SurveyCompletion.done.is_(True),
               surveys.Survey.opens_at >= start, surveys.Survey.opens_at < end))).scalar_one())


async def _tasks(session, ctx, member_id, start, end) -> dict:
    """Tasks owned with a deadline this year (cancelled ones left out); on time as /kpi counts it: reported
    no later than the deadline and confirmed, out of those done or past their deadline."""
    now = ctx.now()
    rows = list((await session.execute(
        select(tasks.Task).where(tasks.Task.owner_id == member_id, tasks.Task.deadline_at >= start,
                                 tasks.Task.deadline_at < end, tasks.Task.status != "cancelled")
        .order_by(tasks.Task.deadline_at.desc(), tasks.Task.id.desc()))).scalars())
    due = on_time = still_open = 0
    items = []
    for t in rows:
        done = t.status == tasks.DONE
        punctual = done and t.reported_at is not None and t.reported_at <= t.deadline_at
        overdue = t.status in tasks.ACTIVE and t.deadline_at <= now
        due += 1 if done or t.deadline_at <= now else 0
        on_time += 1 if punctual else 0
        still_open += 0 if done else 1
        # Not yet due and not done: neither on time nor late (None), not "no".
        items.append({"no": t.task_no, "title": t.title, "due": t.due_date, "status": t.status,
                      "on_time": punctual if done or t.deadline_at <= now else None, "overdue": overdue})
    return {"items": items, "due": due, "on_time": on_time, "open": still_open}


async def _bookings(session, ctx, member_id, start, end) -> list[dict]:
    rows = (await session.execute(
        select(reception.Booking, reception.ReceptionDay)
        .join(reception.ReceptionDay, reception.ReceptionDay.id == reception.Booking.day_id)
        .where(reception.Booking.member_id == member_id, reception.ReceptionDay.starts_at >= start,
               reception.ReceptionDay.starts_at < end)
        .order_by(reception.ReceptionDay.starts_at.desc(), reception.Booking.id.desc()))).all()
    leaders = {m.id: m.name for m in await members.by_ids(session, {d.leader_id for _, d in rows})}
    return [{"day": d.day, "leader": leaders.get(d.leader_id, ""), "topic": b.topic, "status": b.status,
             "attended": b.attended, "outcome": b.outcome} for b, d in rows]


async def _tickets(session, lang: str, member_id, start: date, end: date) -> list[dict]:
    """Signed tickets only: both conditions, so a row that is anonymous can never match."""
    ticket = feedback.FeedbackTicket
    rows = (await session.execute(
        select(ticket).where(ticket.anonymous.is_(False), ticket.writer_member_id == member_id,
                             ticket.received_on >= start, ticket.received_on < end)
        .order_by(ticket.received_on.desc(), ticket.id))).scalars().all()
    cfg = await feedback.load_config(session) if rows else None
    return [{"id": t.id, "category": feedback.category_name(cfg, lang, t.category), "received_on": t.received_on,
             "status": feedback.status_name(lang, t.status), "rating": t.rating} for t in rows]
