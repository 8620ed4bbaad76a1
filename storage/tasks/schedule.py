"""The reminder schedule of a task, as arithmetic on its deadline (no I/O, so it is easy to reason about).

Reminder stages of a task, in order (the stage index is what `Task.reminder_stage` remembers):
0 `due3d`, 1 `due1d`, 2 `due0d` at 09:00 local 3 days before, 1 day before and on the deadline's morning;
3 `overdue` the moment the deadline passes (the lead unit's secretaries are alerted too);
3+n `overdue<n>` at 09:00 on the n-th day after, one a day (the admins get an escalation once the task has
been overdue `overdue_escalate_days` calendar days). A tick enqueues only the latest stage that is due, so
after downtime the owner gets one current reminder, not a burst of stale ones.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from storage import calendar
from storage.context import Context
from storage.tasks.models import ACTIVE, Task

REMINDER_AT = time(9, 0)
PRE_STAGES = ("due3d", "due1d", "due0d")
PRE_DAYS = (3, 1, 0)
OVERDUE = 3
DEFAULT_ESCALATE_DAYS = 3


def escalate_days(ctx: Context) -> int:
    """Days overdue before the admins get an escalation (TONGXIN_OVERDUE_ESCALATE_DAYS)."""
    return ctx.overdue_escalate_days or DEFAULT_ESCALATE_DAYS


# --- deadlines and stages ---------------------------------------------------------------------------

def deadline_moment(day: date, at: time | None, ctx: Context) -> datetime:
    """When a deadline passes: at its time, or, for a date alone, at the end of that day."""
    if at is not None:
        return calendar.at_local(day, at, ctx)
    return calendar.at_local(day + timedelta(days=1), time(0), ctx)


def stage_name(stage: int) -> str:
    if stage < OVERDUE:
        return PRE_STAGES[stage]
    return "overdue" if stage == OVERDUE else f"overdue{stage - OVERDUE}"


def stage_moment(task: Task, stage: int, ctx: Context) -> datetime:
    if stage < OVERDUE:
        morning = calendar.at_local(task.due_date - timedelta(days=PRE_DAYS[stage]), REMINDER_AT, ctx)
        return min(morning, task.deadline_at)
    if stage == OVERDUE:
        return task.deadline_at
    passed_on = calendar.local(task.deadline_at, ctx).date()
    return calendar.at_local(passed_on + timedelta(days=stage - OVERDUE), REMINDER_AT, ctx)


def latest_stage(task: Task, now: datetime, ctx: Context) -> int:
    """The last stage whose moment has come (-1: none yet)."""
    if now >= task.deadline_at:
        n = (calendar.local(now, ctx).date() - calendar.local(task.deadline_at, ctx).date()).days
        if n >= 1 and stage_moment(task, OVERDUE + n, ctx) > now:
            n -= 1
        return OVERDUE + max(n, 0)
    for stage in (2, 1, 0):
        if stage_moment(task, stage, ctx) <= now:
            return stage
    return -1


def reschedule(task: Task, ctx: Context) -> None:
    """Start the reminders over (new task, changed deadline, task returned to the owner)."""
    task.reminder_stage = -1
    task.alerted_at = task.escalated_at = None
    task.next_reminder_at = stage_moment(task, 0, ctx) if task.status in ACTIVE else None


def colour(task: Task, now: datetime, ctx: Context) -> str:
    """督办 slip colours: red overdue, yellow due today or tomorrow, blue within 3 days, green on track."""
    if now >= task.deadline_at:
        return "red"
    days_left = (task.due_date - calendar.local(now, ctx).date()).days
    if days_left <= 1:
        return "yellow"
    if days_left <= 3:
        return "blue"
    return "green"


def deadline_text(task: Task) -> str:
    text = task.due_date.isoformat()
    return f"{text} {task.due_time:%H:%M}" if task.due_time else text


def days_overdue(task: Task, now: datetime, ctx: Context) -> int:
    """Whole local days after the deadline date: 0 on the due day itself (a deadline with a time that has
    passed shows hours instead, see `hours_overdue`), 1 from the next midnight."""
    if now < task.deadline_at:
        return 0
    return max(0, (calendar.local(now, ctx).date() - task.due_date).days)


def hours_overdue(task: Task, now: datetime, ctx: Context) -> int | None:
    """Whole hours past a deadline with a time, on its due day (0: under an hour); None otherwise."""
    if now < task.deadline_at or days_overdue(task, now, ctx) > 0:
        return None
    return int((now - task.deadline_at).total_seconds() // 3600)


def stamp(moment: datetime) -> str:
    """The deadline as it appears in dedupe keys: a moved deadline makes new keys."""
    return moment.strftime("%Y%m%dT%H%M")
