"""KPI figures of the responsibility list: on-time completion per unit and period, overdue now, average
days overdue, and the summary the /kpi board and the monthly report read."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import kpi
from storage.context import Context
from storage.models.org import Unit
from storage.tasks.models import ACTIVE, CANCELLED, DONE, Task


@dataclass
class OnTime:
    """On-time completion of one lead unit's tasks due in a period."""

    unit_id: int
    unit: str
    due: int  # tasks due in the period whose outcome is known (done, or deadline passed)
    on_time: int  # reported done no later than the deadline, and confirmed

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


async def on_time_rates(session: AsyncSession, ctx: Context, start: date, end: date,
                        unit_ids: set[int] | None = None) -> list[OnTime]:
    """Per lead unit, tasks with a deadline date in [start, end): how many were finished on time.

    Cancelled tasks do not count; open tasks count once their deadline has passed (they are late).
    """
    now = ctx.now()
    on_time = and_(Task.status == DONE, Task.reported_at <= Task.deadline_at)
    known = (Task.status == DONE) | (Task.deadline_at <= now)
    query = (select(Task.lead_unit_id, Unit.name, func.count(Task.id),
                    func.coalesce(func.sum(case((on_time, 1), else_=0)), 0))
             .join(Unit, Unit.id == Task.lead_unit_id)
             .where(Task.due_date >= start, Task.due_date < end, Task.status != CANCELLED, known)
             .group_by(Task.lead_unit_id, Unit.name).order_by(Unit.name))
    if unit_ids is not None:
        query = query.where(Task.lead_unit_id.in_(unit_ids))
    return [OnTime(uid, name, int(due), int(ok)) for uid, name, due, ok in (await session.execute(query)).all()]


async def overdue_now(session: AsyncSession, ctx: Context, unit_ids: set[int] | None = None) -> int:
    """Tasks past their deadline that the owner has not reported done."""
    query = select(func.count(Task.id)).where(Task.status.in_(ACTIVE), Task.deadline_at <= ctx.now())
    if unit_ids is not None:
        query = query.where(Task.lead_unit_id.in_(unit_ids))
    return int((await session.execute(query)).scalar_one())


async def average_days_overdue(session: AsyncSession, ctx: Context, unit_ids: set[int] | None = None) -> float | None:
    """Mean time past the deadline of the tasks overdue now, in days (None when nothing is overdue)."""
    now = ctx.now()
    query = select(Task.deadline_at).where(Task.status.in_(ACTIVE), Task.deadline_at <= now)
    if unit_ids is not None:
        query = query.where(Task.lead_unit_id.in_(unit_ids))
    moments = list((await session.execute(query)).scalars())
    if not moments:
        return None
    return round(sum((now - m).total_seconds() for m in moments) / len(moments) / 86400, 1)


async def task_status(session: AsyncSession, task_id: int) -> str | None:
    """The status of a task made from another feature (a reception matter, an improvement measure)."""
    task = await session.get(Task, task_id)
    return task.status if task else None


@kpi.indicator("tasks", order=10)
async def kpi_figures(session: AsyncSession, ctx: Context, *, unit_ids: set[int] | None, start: datetime,
                      end: datetime) -> dict:
    """The /kpi board's figures: tasks due in the period (local dates), done on time, overdue now."""
    start_day, end_day = start.astimezone(ctx.tz).date(), end.astimezone(ctx.tz).date()
    rates = await on_time_rates(session, ctx, start_day, end_day, unit_ids)
    due = sum(r.due for r in rates)
    on_time = sum(r.on_time for r in rates)
    return {"tasks_due": due, "tasks_done_on_time": on_time, "on_time_rate": on_time / due if due else None,
            "overdue_now": await overdue_now(session, ctx, unit_ids),
            "avg_days_overdue": await average_days_overdue(session, ctx, unit_ids)}
