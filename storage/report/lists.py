"""The lists behind the report's figures, one row a dict, for a period and a scope of units:
the responsibility list with a status colour each, the feedback PDCA records (category, root cause, measure,
result; never the writer nor what they wrote), and the reception days' outcomes (signed bookings only)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from messages import render
from storage import feedback, reception, tasks, units
from storage.context import Context
from storage.models.org import Member
from storage.report import task_history

# Status colours of the responsibility list, in the legend's order: the 督办 colours of open tasks, then
# how the closed ones ended. Fills are Excel's own light palette, so a printout stays readable.
FILLS = {"red": "FFC7CE", "yellow": "FFEB9C", "blue": "BDD7EE", "green": "E2EFDA",
         "done_on_time": "A9D08E", "done_late": "F8CBAD", "reported": "FFF2CC", "cancelled": "D9D9D9"}


def task_state(task, moment: datetime, ctx: Context) -> str:
    """The task's colour key from its current status (use `task_history.state_at` for a past moment)."""
    if task.status == tasks.CANCELLED:
        return "cancelled"
    if task.status == tasks.DONE:
        return "done_on_time" if task.reported_at and task.reported_at <= task.deadline_at else "done_late"
    if task.status == tasks.REPORTED:
        return "reported"
    return tasks.colour(task, moment, ctx)


async def task_rows(session, ctx: Context, scope: set[int] | None, start: datetime, end: datetime,
                    lang: str) -> list[dict]:
    """Tasks due in the period, and older ones still open at its start, led by a unit in scope, coloured as
    they stood when the period ended (or now, for the running month); tasks created later are not listed.
    By due date, not deadline moment: a task due on last month's last day has its deadline at this month's
    first midnight, and is an older task still open."""
    first, last = start.astimezone(ctx.tz).date(), end.astimezone(ctx.tz).date()
    moment = min(end, ctx.now())
    T = tasks.Task
    # Older tasks: open now, or changed since the period began (they may have been open at its start).
    older = (T.due_date < first) & (T.status.in_((*tasks.ACTIVE, tasks.REPORTED)) | (T.updated_at >= start))
    query = select(T).where(or_(T.due_date.between(first, last), older), T.due_date < last, T.created_at < moment)
    query = query.order_by(T.due_date, T.task_no)
    if scope is not None:
        query = query.where(T.lead_unit_id.in_(scope or {-1}))
    found = list((await session.execute(query)).scalars())
    history: dict[int, list] = {}
    N = tasks.TaskNote
    listed = query.with_only_columns(T.id).order_by(None)  # a subquery, not thousands of bound ids
    for task_id, kind, at in (await session.execute(
            select(N.task_id, N.kind, N.at).where(N.task_id.in_(listed), N.kind.in_(task_history.EVENTS))
            .order_by(N.at, N.id))).all():
        history.setdefault(task_id, []).append((kind, at))
    states = {t.id: task_history.state_at(t, history.get(t.id, []), moment, ctx) for t in found}
    # An older task already finished when the period began is not part of this period's list.
    found = [t for t in found if t.deadline_at >= start or task_history.status_at(
        t, history.get(t.id, []), start)[0] not in (tasks.DONE, tasks.CANCELLED)]
    owners = {m.id: m.name for m in (await session.execute(
        select(Member).where(Member.id.in_({t.owner_id for t in found} or {-1})))).scalars()}
    names = await units.names(session, {t.lead_unit_id for t in found})
    said = {state: render(lang, "report_task_state", state=state) for state in FILLS}
    return [{"no": t.task_no, "title": t.title, "unit": names.get(t.lead_unit_id, ""),
             "owner": owners.get(t.owner_id, ""), "due": t.due_date, "state": states[t.id],
             "status": said[states[t.id]]} for t in found]


async def pdca_records(session, ctx: Context, scope: set[int] | None, start: datetime, end: datetime,
                       lang: str) -> list[dict]:
    """Tickets received or closed in the period, routed to a unit in scope: their PDCA record only."""
    first, last = start.astimezone(ctx.tz).date(), end.astimezone(ctx.tz).date()
    Ticket = feedback.FeedbackTicket
    query = select(Ticket.id, Ticket.category, Ticket.received_on, Ticket.status, Ticket.root_cause,
                   Ticket.measure, Ticket.close_reason, Ticket.closed_on, Ticket.task_id).where(or_(
        (Ticket.received_on >= first) & (Ticket.received_on < last),
        (Ticket.closed_on >= first) & (Ticket.closed_on < last))).order_by(Ticket.received_on, Ticket.category)
    if scope is not None:
        query = query.where(Ticket.id.in_(select(feedback.FeedbackTicketUnit.ticket_id).where(
            feedback.FeedbackTicketUnit.unit_id.in_(scope or {-1}))))
    rows = (await session.execute(query)).all()
    task_nos = dict((await session.execute(select(tasks.Task.id, tasks.Task.task_no).where(
        tasks.Task.id.in_({r.task_id for r in rows if r.task_id} or {-1})))).all())
    cfg = await feedback.load_config(session)
    return [{"id": r.id, "category": feedback.category_name(cfg, lang, r.category), "received": r.received_on,
             "result": render(lang, "feedback_status", status=r.status), "root_cause": r.root_cause or "",
             "measure": r.measure or "", "closed": r.closed_on, "reason": r.close_reason or "",
             "task": task_nos.get(r.task_id, "")} for r in rows]


async def reception_outcomes(session, ctx: Context, scope: set[int] | None, start: datetime, end: datetime,
                             lang: str) -> list[dict]:
    """Bookings of the reception days held in the period whose outcome was recorded."""
    B, D = reception.Booking, reception.ReceptionDay
    query = (select(B, D.day, D.leader_id).join(D, D.id == B.day_id)
             .where(D.starts_at >= start, D.starts_at < end, B.outcome.is_not(None)).order_by(D.day, B.id))
    rows = (await session.execute(query)).all()
    people = {m.id: m for m in (await session.execute(select(Member).where(Member.id.in_(
        {b.member_id for b, _, _ in rows} | {lid for _, _, lid in rows} or {-1})))).scalars()}
    if scope is not None:
        rows = [r for r in rows if people.get(r[0].member_id) is not None and (
            people[r[0].member_id].unit_id in scope or people[r[0].member_id].branch_id in scope)]
    names = await units.names(session, {m.unit_id for m in people.values() if m.unit_id})
    task_nos = dict((await session.execute(select(tasks.Task.id, tasks.Task.task_no).where(
        tasks.Task.id.in_({b.task_id for b, _, _ in rows if b.task_id} or {-1})))).all())
    out = []
    for b, day, leader_id in rows:
        person = people.get(b.member_id)
        out.append({"day": day, "leader": people[leader_id].name if leader_id in people else "",
                    "member": person.name if person else "", "unit": names.get(person.unit_id, "") if person else "",
                    "topic": b.topic, "outcome": render(lang, "report_outcome", outcome=b.outcome),
                    "note": b.outcome_note or "", "task": task_nos.get(b.task_id, "")})
    return out
