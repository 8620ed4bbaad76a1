"""KPI figures of the responsibility list: on-time completion per unit and period, overdue at a moment
(now, or the end of a past period), average days overdue, and the summary the /kpi board and the monthly
report read.

"Overdue at a moment" is the task's state then, rebuilt from its notes (reported done, confirmed, returned,
cancelled): a task finished in November still counts as overdue at the end of October if it was late then.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import calendar, kpi
from storage.context import Context
from storage.models.org import Unit
from storage.tasks.models import ACTIVE, CANCELLED, DONE, Task, TaskNote
from storage.tasks.schedule import days_overdue


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


# The notes that move a task on or off the owner's desk; progress notes do not.
STATE_NOTES = ("done", "confirm", "return", "cancel")


def _overdue_at(at: datetime, now: datetime):
    """Tasks past their deadline at `at` that the owner had not reported done (nor been relieved of)."""
    if at >= now:
        return select(Task).where(Task.status.in_(ACTIVE), Task.deadline_at <= now)
    last = (select(TaskNote.kind).where(TaskNote.task_id == Task.id, TaskNote.kind.in_(STATE_NOTES),
                                        TaskNote.at <= at)
            .order_by(TaskNote.at.desc(), TaskNote.id.desc()).limit(1).scalar_subquery())
    return select(Task).where(Task.created_at <= at, Task.deadline_at <= at, or_(last.is_(None), last == "return"))


async def overdue_tasks(session: AsyncSession, ctx: Context, unit_ids: set[int] | None = None,
                        at: datetime | None = None) -> list[Task]:
    """The tasks overdue at `at` (None: now)."""
    now = ctx.now()
    query = _overdue_at(min(at or now, now), now)
    if unit_ids is not None:
        query = query.where(Task.lead_unit_id.in_(unit_ids))
    return list((await session.execute(query)).scalars())


async def overdue_now(session: AsyncSession, ctx: Context, unit_ids: set[int] | None = None,
                      at: datetime | None = None) -> int:
    """Tasks past their deadline that the owner has not reported done, now or at `at`."""
    return len(await overdue_tasks(session, ctx, unit_ids, at))


async def average_days_overdue(session: AsyncSession, ctx: Context, unit_ids: set[int] | None = None,
                               at: datetime | None = None) -> float | None:
    """Mean days overdue of the tasks overdue now (or at `at`), counted as the task lists count them: whole
    local days after the deadline date (None when nothing is overdue)."""
    moment = min(at or ctx.now(), ctx.now())
    late = [days_overdue(t, moment, ctx) for t in await overdue_tasks(session, ctx, unit_ids, moment)]
    return round(sum(late) / len(late), 1) if late else None


async def task_status(session: AsyncSession, task_id: int) -> str | None:
    """The status of a task made from another feature (a reception matter, an improvement measure)."""
    task = await session.get(Task, task_id)
    return task.status if task else None


@kpi.indicator("tasks", order=10)
async def kpi_figures(session: AsyncSession, ctx: Context, *, unit_ids: set[int] | None, start: datetime,
                      end: datetime) -> dict:
    """The /kpi board's figures: tasks due in the period (local dates), done on time, and the tasks overdue
    at the period's end; for the period still running, overdue now (`overdue_as_of` None). A past period
    shows its own state, so `overdue_as_of` is its last day."""
    start_day, end_day = start.astimezone(ctx.tz).date(), end.astimezone(ctx.tz).date()
    rates = await on_time_rates(session, ctx, start_day, end_day, unit_ids)
    due = sum(r.due for r in rates)
    on_time = sum(r.on_time for r in rates)
    ended = end <= ctx.now()
    at = end if ended else None
    return {"tasks_due": due, "tasks_done_on_time": on_time, "on_time_rate": on_time / due if due else None,
            "overdue": await overdue_now(session, ctx, unit_ids, at),
            "overdue_as_of": calendar.local(end, ctx).date() - timedelta(days=1) if ended else None,
            "avg_days_overdue": await average_days_overdue(session, ctx, unit_ids, at)}


MEASURES = kpi.measures(
    kpi.Measure("tasks.on_time_rate", "责任清单按时完成率", "tasks on time",
                "当月到期的任务中，在期限前报告完成并经确认的比例（已取消的不计）",
                "Of the tasks due in the month (cancelled ones aside), the share reported done by the deadline "
                "and confirmed", "%"),
    kpi.Measure("tasks.overdue", "逾期任务数", "overdue tasks",
                "月末（当月为此刻）已过期限而未报告完成的任务数", "Tasks past their deadline and not reported done "
                "at the month's end (now, for the current month)", "count", "lower"),
    kpi.Measure("tasks.avg_days_overdue", "平均逾期天数", "average days overdue",
                "逾期任务在期限日之后的整天数的平均值", "Mean whole days past the deadline date of the overdue tasks",
                "days", "lower"),
)
