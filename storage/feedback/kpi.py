"""Feedback KPI figures for a period, out of the ticket rows (no spreadsheet kept by hand).

Tickets keep the date they arrived, not the hour (the hour could be matched to a person), so the time to a
first reply is counted in working days from that date (the same day, 1, 2, 3 or more): a figure in hours
would be made up, since the data cannot carry it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import calendar, kpi
from storage.context import Context
from storage.feedback.models import CLOSED_STATES, RESOLVED, FeedbackTicket, FeedbackTicketUnit

DISPUTE = "dispute"


def first_reply_days(ticket: FeedbackTicket, ctx: Context) -> int | None:
    """Working days from the day the ticket arrived to the local day of its first reply (0: the same day)."""
    if ticket.first_reply_at is None:
        return None
    replied_on = ticket.first_reply_at.astimezone(ctx.tz).date()
    return calendar.working_days_between(ticket.received_on, replied_on)


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@kpi.indicator("feedback", order=40)
async def kpi_figures(session: AsyncSession, ctx: Context, *, unit_ids: set[int] | None, start: datetime,
                      end: datetime) -> dict:
    """Figures for tickets received in [start, end) (local dates), limited to tickets routed to `unit_ids`
    (None: all tickets).

    - first_reply_days: tickets first replied to the same day, after 1, 2, and 3 or more working days;
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
    days = [d for d in (first_reply_days(t, ctx) for t in tickets) if d is not None]
    due = [t for t in tickets if t.first_reply_at is not None or t.deadline_on < today]
    ratings = [t.rating for t in tickets if t.rating is not None]
    closed_disputes = [t for t in tickets if t.category == DISPUTE and t.status in CLOSED_STATES]
    mediated = [t for t in closed_disputes if t.status == RESOLVED and (t.rating or 0) >= 4]
    resolved = [t for t in tickets if t.status == RESOLVED]
    return {
        "tickets_received": len(tickets),
        "tickets_replied": len(days),
        "tickets_resolved": len(resolved),
        "tickets_escalated": sum(1 for t in tickets if t.escalations),
        "first_reply_days": {"0": days.count(0), "1": days.count(1), "2": days.count(2),
                             "3+": sum(1 for d in days if d >= 3)},
        "answered_in_time_rate": _rate(sum(1 for t in due if t.answered_in_time), len(due)),
        "resolution_rate": _rate(len(resolved), len(tickets)),
        "satisfaction_avg": sum(ratings) / len(ratings) if ratings else None,
        "ratings": len(ratings),
        "disputes_closed": len(closed_disputes),
        "dispute_mediation_rate": _rate(len(mediated), len(closed_disputes)),
    }


MEASURES = kpi.measures(
    kpi.Measure("feedback.answered_in_time_rate", "诉求按期首次答复率", "first reply on time",
                "当月收到的诉求中，在答复期限内首次答复的比例（未到期且未答复的不计）",
                "Of the month's tickets whose first reply is due or made, the share first answered by the deadline",
                "%"),
    kpi.Measure("feedback.resolution_rate", "诉求解决率", "resolution rate",
                "当月收到的诉求中已解决的比例", "Of the month's tickets, the share resolved", "%"),
    kpi.Measure("feedback.dispute_mediation_rate", "矛盾纠纷调解成功率", "dispute mediation success",
                "当月已关闭的纠纷类诉求中，已解决且评价 4 星及以上的比例",
                "Of the month's closed disputes, the share resolved and rated 4 or 5", "%"),
    kpi.Measure("feedback.satisfaction_avg", "诉求人满意度", "writer satisfaction",
                "当月诉求评价的平均星级（1–5），评价少于 3 件时不显示",
                "Mean rating (1-5) of the month's rated tickets, withheld below 3 ratings", "score",
                answers=True, count="ratings"),
)
