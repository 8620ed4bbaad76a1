"""Organisational-life figures for /kpi and the report: the required meetings held (per branch, kind and
period, counting at most the required number in each) and the attendance of the meetings that took place."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import calendar, kpi
from storage.context import Context
from storage.models.org import Unit
from storage.orglife.models import PLANNED, Attendance, Invitation, Meeting
from storage.orglife.rules import all_rules, held, period_of


@kpi.indicator("orglife", order=70)
async def kpi_figures(session: AsyncSession, ctx: Context, *, unit_ids: set[int] | None, start: datetime,
                      end: datetime) -> dict:
    """Required: every period of every kind whose last day falls in [start, end), per branch in scope."""
    query = select(Unit).where(Unit.kind == "branch")
    if unit_ids is not None:
        query = query.where(Unit.id.in_(unit_ids))
    branches = list((await session.execute(query)).scalars())
    first, last = calendar.local(start, ctx).date(), calendar.local(end, ctx).date() - timedelta(days=1)
    required = done = 0
    for rule in await all_rules(session):
        if rule.required <= 0:
            continue
        day = first
        while day <= last:
            p_start, p_end, _ = period_of(day, rule.period)
            if first <= p_end - timedelta(days=1) <= last:
                for branch in branches:
                    count = await held(session, branch.id, rule.kind, calendar.at_local(p_start, time(0), ctx),
                                       calendar.at_local(p_end, time(0), ctx))
                    required += rule.required
                    done += min(count, rule.required)
            day = p_end
    meetings = select(Meeting.id).where(Meeting.status == PLANNED, Meeting.starts_at >= start,
                                        Meeting.starts_at < end, Meeting.starts_at <= ctx.now())
    if unit_ids is not None:
        meetings = meetings.where(Meeting.branch_id.in_(unit_ids))
    ids = select(meetings.subquery().c.id)
    taken = int((await session.execute(select(func.count()).select_from(meetings.subquery()))).scalar_one())
    invited = int((await session.execute(select(func.count(Invitation.id))
                                         .where(Invitation.meeting_id.in_(ids)))).scalar_one())
    present = int((await session.execute(select(func.count(Attendance.id)).where(
        Attendance.meeting_id.in_(ids), Attendance.present.is_(True)))).scalar_one())
    return {"required_meetings": required, "required_held": done,
            "required_held_rate": done / required if required else None, "meetings_held": taken,
            "invited": invited, "present": present, "attendance_rate": present / invited if invited else None}
