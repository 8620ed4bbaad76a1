"""Feedback, the office's side: /inbox, taking a ticket, replying and asking (relayed to the writer signed
with the office's name), marking it answered, closing it with the root cause and the improvement measure
(the Check and Act of PDCA), or unresolved, and turning a measure into a task. Every step checks again
that the member is staff and that the ticket is routed to their units.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import plain
from storage import audit, members, tasks, units
from storage.context import Context
from storage.errors import Refused
from storage.feedback.config import FeedbackConfig, category_name, load_config
from storage.feedback.texts import excerpt
from storage.feedback.tickets import close, message_text, normalise_id, relay, ticket_unit_ids, today
from storage.feedback.views import task_number, tasks_available
from storage.feedback.models import (ANSWERED, ASSIGNED, LIVE_STATES, OPEN, RESOLVED, UNRESOLVED, FeedbackMessage,
                                     FeedbackTicket, FeedbackTicketUnit)
from storage.models.org import Member

PDCA_MAX = 2000


async def can_see(session: AsyncSession, staff: Member, ticket: FeedbackTicket) -> bool:
    scope = await members.staff_unit_ids(session, staff)
    if scope is None:
        return True
    return bool(scope & await ticket_unit_ids(session, ticket.id))


async def staff_ticket(session: AsyncSession, staff: Member, ticket_id: str) -> FeedbackTicket:
    """The ticket, if this member is staff and it is routed to their units; locked for this transaction, so
    two presses on one ticket (a double tap, two replicas) take turns and the second sees the first's state."""
    ticket = await session.get(FeedbackTicket, normalise_id(ticket_id), with_for_update=True)
    if ticket is None or not staff.is_staff or not await can_see(session, staff, ticket):
        raise Refused("feedback_ticket_unknown")
    return ticket


async def _live(session: AsyncSession, staff: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await staff_ticket(session, staff, ticket_id)
    if ticket.status not in LIVE_STATES:
        raise Refused("feedback_already_closed", ticket=ticket.id)
    return ticket


async def inbox(session: AsyncSession, ctx: Context, staff: Member, limit: int = 30) -> list[FeedbackTicket]:
    """Live tickets this member may handle, oldest first."""
    stmt = select(FeedbackTicket).where(FeedbackTicket.status.in_(LIVE_STATES))
    scope = await members.staff_unit_ids(session, staff)
    if scope is not None:
        if not scope:
            return []
        stmt = stmt.where(FeedbackTicket.id.in_(
            select(FeedbackTicketUnit.ticket_id).where(FeedbackTicketUnit.unit_id.in_(scope))))
    stmt = stmt.order_by(FeedbackTicket.received_on, FeedbackTicket.id).limit(limit)
    return list((await session.execute(stmt)).scalars().all())


async def take(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await _live(session, staff, ticket_id)
    ticket.assignee_id = staff.id
    if ticket.status == OPEN:
        ticket.status = ASSIGNED
    audit.record(session, ctx, "feedback.taken", "feedback_ticket", ticket.id, actor_id=staff.id)
    return ticket


async def begin_office_message(session: AsyncSession, staff: Member, ticket_id: str) -> FeedbackTicket:
    return await _live(session, staff, ticket_id)


async def office_message(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str, text: str,
                         question: bool = False) -> FeedbackTicket:
    """A reply or a follow-up question, relayed to the writer signed with the office's name."""
    ticket = await _live(session, staff, ticket_id)
    text = await message_text(session, text)
    now = ctx.now()
    session.add(FeedbackMessage(ticket_id=ticket.id, author="office", kind="question" if question else "reply",
                                staff_member_id=staff.id, text=text, day=today(ctx)))
    if ticket.first_reply_at is None:
        ticket.first_reply_at = now
        ticket.answered_in_time = today(ctx) <= ticket.deadline_on
    if ticket.assignee_id is None:
        ticket.assignee_id = staff.id
    if ticket.status == OPEN:
        ticket.status = ASSIGNED
    audit.record(session, ctx, "feedback.question" if question else "feedback.replied", "feedback_ticket",
                 ticket.id, actor_id=staff.id)
    await relay(session, ctx, ticket, "feedback_relay_message", body=text, question=question)
    return ticket


async def mark_answered(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await _live(session, staff, ticket_id)
    if ticket.first_reply_at is None:
        raise Refused("feedback_need_first_reply")
    ticket.status = ANSWERED
    audit.record(session, ctx, "feedback.answered", "feedback_ticket", ticket.id, actor_id=staff.id)
    await relay(session, ctx, ticket, "feedback_relay_answered")
    return ticket


def pdca_required(cfg: FeedbackConfig, ticket: FeedbackTicket) -> bool:
    return ticket.category not in cfg.pdca_optional


async def begin_resolve(session: AsyncSession, staff: Member, ticket_id: str) -> tuple[FeedbackTicket, bool]:
    """Closing as resolved (or recording the PDCA of a ticket the writer resolved): (ticket, required)."""
    ticket = await staff_ticket(session, staff, ticket_id)
    if ticket.status == UNRESOLVED or (ticket.status == RESOLVED and ticket.pdca_done):
        raise Refused("feedback_already_closed", ticket=ticket.id)
    if ticket.status in LIVE_STATES and ticket.first_reply_at is None:
        raise Refused("feedback_need_first_reply")
    cfg = await load_config(session)
    return ticket, pdca_required(cfg, ticket)


async def resolve(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str, *,
                  root_cause: str | None, measure: str | None) -> FeedbackTicket:
    """Close as resolved with the root cause and the improvement measure (the Check and Act of PDCA)."""
    ticket, required = await begin_resolve(session, staff, ticket_id)
    root_cause, measure = (root_cause or "").strip() or None, (measure or "").strip() or None
    if required and not (root_cause and measure):
        raise Refused("feedback_pdca_required")
    if max(len(root_cause or ""), len(measure or "")) > PDCA_MAX:
        raise Refused("feedback_text_too_long", max=PDCA_MAX)
    ticket.root_cause, ticket.measure, ticket.pdca_done = root_cause, measure, True
    if ticket.status in LIVE_STATES:
        await close(session, ctx, ticket, RESOLVED)
        await relay(session, ctx, ticket, "feedback_relay_closed", resolved=True, reason="")
    audit.record(session, ctx, "feedback.resolved", "feedback_ticket", ticket.id, actor_id=staff.id)
    return ticket


async def begin_close(session: AsyncSession, staff: Member, ticket_id: str) -> FeedbackTicket:
    """Closing unresolved starts with the reason: the ticket must still be open to this staff member."""
    return await _live(session, staff, ticket_id)


def close_reason(text: str | None) -> str:
    """A reason is required: the writer is told it, and the PDCA record keeps it."""
    text = (text or "").strip()
    if not text:
        raise Refused("feedback_close_reason_required")
    if len(text) > PDCA_MAX:
        raise Refused("feedback_text_too_long", max=PDCA_MAX)
    return text


async def close_unresolved(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str,
                           reason: str) -> FeedbackTicket:
    """Close with the confirmed reason; the writer is told it through the sealed route."""
    reason = close_reason(reason)
    ticket = await _live(session, staff, ticket_id)
    await close(session, ctx, ticket, UNRESOLVED)
    ticket.close_reason = reason
    audit.record(session, ctx, "feedback.closed_unresolved", "feedback_ticket", ticket.id, actor_id=staff.id)
    await relay(session, ctx, ticket, "feedback_relay_closed", resolved=False, reason=reason)
    return ticket


async def measure_to_task(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str, *,
                          owner_employee_no: str, lead_unit: str, deadline: date | datetime):
    """Turn a ticket's improvement measure into a task on the responsibility list (the Act of PDCA)."""
    ticket = await staff_ticket(session, staff, ticket_id)
    if not ticket.measure:
        raise Refused("feedback_no_measure")
    if ticket.task_id is not None:
        raise Refused("feedback_task_exists", task=await task_number(session, ticket))
    if not tasks_available():
        raise Refused("feedback_task_unavailable")
    owner = await members.by_employee_no(session, (owner_employee_no or "").strip())
    if owner is None or not owner.active:
        raise Refused("problem_unknown_member", value=owner_employee_no)
    unit = await units.find_any(session, (lead_unit or "").strip())
    if unit is None:
        raise Refused("problem_unknown_unit", value=lead_unit)
    cfg = await load_config(session)
    title = excerpt(ticket.measure, 200)
    # Stored as data (the task's templates escape it when shown), so rendered as plain text.
    description = plain(staff.language, "feedback_task_description", ticket=ticket.id,
                         category=category_name(cfg, staff.language, ticket.category),
                         root_cause=ticket.root_cause or "",
                         measure=ticket.measure)
    task = await tasks.create_task(session, ctx, title=title, lead_unit_id=unit.id, owner_id=owner.id,
                             deadline=deadline, description=description, source=f"feedback:{ticket.id}",
                             actor_id=staff.id)
    ticket.task_id = task.id
    audit.record(session, ctx, "feedback.task_created", "feedback_ticket", ticket.id, actor_id=staff.id,
                 task_id=task.id)
    return task
