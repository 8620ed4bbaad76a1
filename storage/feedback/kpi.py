"""Feedback KPI figures for a period, out of the ticket rows (no spreadsheet kept by hand).

Tickets keep the date they arrived, not the hour (the hour could be matched to a person), so the
first-reply time is counted from the start of the office day it arrived (the end of the quiet hours,
08:00 local by default): a ticket written at night and answered at 10:00 the next morning took 2 hours.
"""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import calendar, kpi
from storage.context import Context
from storage.feedback.models import CLOSED_STATES, RESOLVED, FeedbackTicket, FeedbackTicketUnit

DISPUTE = "dispute"


def first_reply_hours(ticket: FeedbackTicket, ctx: Context) -> float | None:
    if ticket.first_reply_at is None:
        return None
    start = calendar.at_local(ticket.received_on, time(ctx.quiet_end), ctx)
    return max(0.0, (ticket.first_reply_at - start).total_seconds() / 3600)


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (p in [0, 1]); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = p * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@kpi.indicator("feedback", order=40)
async def kpi_figures(session: AsyncSession, ctx: Context, *, unit_ids: set[int] | None, start: datetime,
                      end: datetime) -> dict:
    """Figures for tickets received in [start, end) (local dates), limited to tickets routed to `unit_ids`
    (None: all tickets).

    - first_reply_*_hours: over tickets that got a first reply;
    - answered_in_time_rate: first reply on or before the deadline, over tickets replied to or past deadline;
    - resolution_rate: resolved over received;
    - satisfaction_avg: mean rating of rated tickets;
    - dispute_mediation_rate: resolved disputes rated 4 or 5, over closed disputes.
    """
    first, last = start.astimezone(ctx.tz).date(), end.astimezone(ctx.tz).date()
    stmt = select(FeedbackTicket).where(FeedbackTicket.received_on >= first, FeedbackTicket.received_on < last)
    if unit_ids is not None:
        stmt = stmt.where(FeedbackTicket.id.in_(
            select(FeedbackTicketUnit.ticket_id).where(FeedbackTicketUnit.unit_id.in_(unit_ids or {-1}))))
    tickets = list((await session.execute(stmt)).scalars().all())
    today = ctx.local_now().date()
    hours = [h for h in (first_reply_hours(t, ctx) for t in tickets) if h is not None]
    due = [t for t in tickets if t.first_reply_at is not None or t.deadline_on < today]
    ratings = [t.rating for t in tickets if t.rating is not None]
    closed_disputes = [t for t in tickets if t.category == DISPUTE and t.status in CLOSED_STATES]
    mediated = [t for t in closed_disputes if t.status == RESOLVED and (t.rating or 0) >= 4]
    resolved = [t for t in tickets if t.status == RESOLVED]
    return {
        "tickets_received": len(tickets),
        "tickets_replied": len(hours),
        "tickets_resolved": len(resolved),
        "tickets_escalated": sum(1 for t in tickets if t.escalations),
        "first_reply_median_hours": percentile(hours, 0.5),
        "first_reply_p90_hours": percentile(hours, 0.9),
        "answered_in_time_rate": _rate(sum(1 for t in due if t.answered_in_time), len(due)),
        "resolution_rate": _rate(len(resolved), len(tickets)),
        "satisfaction_avg": sum(ratings) / len(ratings) if ratings else None,
        "ratings": len(ratings),
        "disputes_closed": len(closed_disputes),
        "dispute_mediation_rate": _rate(len(mediated), len(closed_disputes)),
    }
