"""Organisational-life figures for /kpi and the report: the required meetings held (per branch, kind and
period, counting at most the required number in each), and of the meetings that took place in the period:
attendance, make-up study completed by those who missed them, and minutes recorded by their due day."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import calendar, kpi
from storage.context import Context
from storage.models.org import Unit
from storage.orglife.makeup import made_up
from storage.orglife.minutes import minutes_days
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
                                       calendar.at_local(p_end, time(0), ctx), until=ctx.now())
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
    taken_ids = list((await session.execute(meetings)).scalars())
    makeup = (await made_up(session, taken_ids)).values()
    assigned, learned = sum(a for a, _ in makeup), sum(d for _, d in makeup)
    due, on_time = await _minutes(session, ctx, taken_ids)
    return {"required_meetings": required, "required_held": done,
            "required_held_rate": done / required if required else None, "meetings_held": taken,
            "invited": invited, "present": present, "attendance_rate": present / invited if invited else None,
            "makeup_assigned": assigned, "makeup_done": learned,
            "makeup_rate": learned / assigned if assigned else None,
            "minutes_due": due, "minutes_on_time": on_time, "minutes_on_time_rate": on_time / due if due else None}


async def _minutes(session: AsyncSession, ctx: Context, meeting_ids: list[int]) -> tuple[int, int]:
    """(meetings whose minutes are due by now or exist, those recorded by the due day's end)."""
    if not meeting_ids:
        return 0, 0
    days = await minutes_days(session)
    rows = (await session.execute(select(Meeting.starts_at, Meeting.minutes_at)
                                  .where(Meeting.id.in_(meeting_ids)))).all()
    due = on_time = 0
    for starts, minutes_at in rows:
        deadline = calendar.at_local(calendar.local(starts, ctx).date() + timedelta(days=days + 1), time(0), ctx)
        if minutes_at is None and ctx.now() < deadline:
            continue  # not due yet
        due += 1
        on_time += minutes_at is not None and minutes_at < deadline
    return due, on_time


MEASURES = kpi.measures(
    kpi.Measure("orglife.required_held_rate", "规定会议召开率", "required meetings held",
                "本期结束的各考核周期中，各支部按规定应召开的会议"
                "（每类每期至多计规定次数）中已召开的比例",
                "Of the meetings each branch had to hold in the periods ending in the month (each kind counted up to "
                "its required number), the share held", "%"),
    kpi.Measure("orglife.attendance_rate", "组织生活出席率", "meeting attendance",
                "本期已召开会议中，实到人次占应到人次的比例",
                "Of the members invited to the month's meetings held so far, the share present", "%"),
    kpi.Measure("orglife.makeup_rate", "补学完成率", "make-up study completed",
                "本期已召开会议的缺席（含请假）党员中，已完成补学人次的比例",
                "Of the members who missed the month's meetings (on leave or absent) and were given make-up study, "
                "the share who completed it", "%"),
    kpi.Measure("orglife.minutes_on_time_rate", "会议记录按时率", "minutes on time",
                "本期已召开且记录已到期（或已提交）的会议中，在期限内提交会议记录的比例",
                "Of the month's meetings whose minutes are due or in, the share whose minutes came by the due day",
                "%"),
)
