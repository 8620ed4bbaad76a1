"""Reception KPIs from the database: days held, bookings, attendance, matters raised and what became of them,
down to whether the tasks they turned into were done on time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import kpi
from storage.context import Context
from storage.models.org import Member
from storage.reception.models import BOOKED, OPEN, RESOLVED, TASK, Booking, ReceptionDay
from storage.tasks import DONE, Task


def _member_in(unit_ids: set[int]):
    return or_(Member.unit_id.in_(unit_ids), Member.branch_id.in_(unit_ids))


@kpi.indicator("reception", order=50)
async def kpi_figures(session: AsyncSession, ctx: Context, *, unit_ids: set[int] | None, start: datetime,
                      end: datetime) -> dict:
    """Figures for reception days starting in [start, end). With `unit_ids`, bookings count when the member
    belongs to those units, and a day counts when its leader does or one of those members was booked."""
    in_range = and_(ReceptionDay.status == OPEN, ReceptionDay.starts_at >= start, ReceptionDay.starts_at < end)
    held = select(func.count(ReceptionDay.id)).where(in_range, ReceptionDay.ends_at <= ctx.now())
    if unit_ids is not None:
        leader = select(Member.id).where(Member.id == ReceptionDay.leader_id, _member_in(unit_ids))
        booked_here = (select(Booking.id).join(Member, Member.id == Booking.member_id)
                       .where(Booking.day_id == ReceptionDay.id, Booking.status == BOOKED, _member_in(unit_ids)))
        held = held.where(or_(exists(leader), exists(booked_here)))
    days_held = (await session.execute(held)).scalar_one()

    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    figures = (select(func.count(Booking.id), total(Booking.attended.is_(True)), total(Booking.outcome == RESOLVED),
                      total(Booking.outcome == TASK))
               .join(ReceptionDay, ReceptionDay.id == Booking.day_id)
               .join(Member, Member.id == Booking.member_id)
               .where(in_range, Booking.status == BOOKED))
    if unit_ids is not None:
        figures = figures.where(_member_in(unit_ids))
    bookings, attended, resolved, to_tasks = (await session.execute(figures)).one()
    return {"days_held": int(days_held), "bookings": int(bookings), "attended": int(attended),
            "matters_raised": int(attended), "matters_resolved": int(resolved), "matters_to_tasks": int(to_tasks),
            "tasks_done_on_time": await _tasks_done_on_time(session, unit_ids, in_range)}


async def _tasks_done_on_time(session: AsyncSession, unit_ids: set[int] | None, in_range) -> int:
    """Tasks made from reception matters that were reported done by their deadline and confirmed."""
    query = (select(func.count(Task.id)).select_from(Booking)
             .join(ReceptionDay, ReceptionDay.id == Booking.day_id)
             .join(Member, Member.id == Booking.member_id)
             .join(Task, Task.id == Booking.task_id)
             .where(in_range, Booking.outcome == TASK, Task.status == DONE,
                    Task.reported_at <= Task.deadline_at))
    if unit_ids is not None:
        query = query.where(_member_in(unit_ids))
    return int((await session.execute(query)).scalar_one())


MEASURES = kpi.measures(
    kpi.Measure("reception.attended", "接待到场人次", "bookings kept",
                "当月接待日预约中到场的人次", "Bookings of the month's reception days that were kept", "count"),
    kpi.Measure("reception.matters_resolved", "当场解决事项数", "matters resolved",
                "当月接待日反映事项中当场解决的件数", "Matters raised on the month's reception days resolved on the "
                "spot", "count"),
)
