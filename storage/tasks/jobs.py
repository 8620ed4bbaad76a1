"""The reminder producer: each tick, the current stage of every task whose next reminder is due goes into
the outbox (owner, then the lead unit's secretaries once overdue, then the admins). The dedupe key of each
row names the task, the stage, the deadline and the recipient, so restarts and replicas send it once; the
schedule itself is `Task.next_reminder_at` / `reminder_stage`, so a tick costs what is due."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import calendar, members, outbox, producers
from storage.context import Context
from storage.models.org import Member
from storage.models.outbox import PENDING, Outbox
from storage.tasks.models import ACTIVE, Task
from storage.tasks.schedule import (OVERDUE, days_overdue, escalate_days, latest_stage, stage_moment,
                                    stage_name, stamp)
from storage.tasks.views import load_names, owner_keyboard, supervisors, view

BATCH = 500
MAX_PER_TICK = 20_000
REMINDER_KINDS = ("tasks.reminder", "tasks.alert", "tasks.escalation")


@producers.producer("tasks.reminders")
async def produce_reminders(session: AsyncSession, ctx: Context) -> int:
    """Enqueue the current reminder of every task whose next reminder is due; silent in quiet hours."""
    now = ctx.now()
    if calendar.is_quiet(now, ctx):
        return 0  # nothing is written, so at the end of the quiet hours the stage then current goes out
    written = processed = 0
    cache = _Recipients()
    while processed < MAX_PER_TICK:
        tasks = list((await session.execute(
            select(Task).where(Task.next_reminder_at <= now).order_by(Task.next_reminder_at, Task.id)
            .limit(BATCH).with_for_update(skip_locked=True)
        )).scalars())
        if not tasks:
            break
        written += await outbox.enqueue_many(session, await _reminder_rows(session, ctx, tasks, now, cache))
        await session.flush()
        processed += len(tasks)
        if len(tasks) < BATCH:
            break
    return written


class _Recipients:
    """Secretaries per lead unit and the admins, looked up once per tick."""

    def __init__(self):
        self.by_unit: dict[int, list[Member]] = {}
        self.admins: list[Member] | None = None

    async def supervisors(self, session: AsyncSession, unit_id: int) -> list[Member]:
        if unit_id not in self.by_unit:
            self.by_unit[unit_id] = await supervisors(session, unit_id)
        return self.by_unit[unit_id]

    async def admin_list(self, session: AsyncSession) -> list[Member]:
        if self.admins is None:
            self.admins = await members.admins(session)
        return self.admins


async def _reminder_rows(session: AsyncSession, ctx: Context, tasks: list[Task], now: datetime,
                         cache: _Recipients) -> list[dict]:
    names = await load_names(session, tasks)
    owners = {m.id: m for m in (await session.execute(
        select(Member).where(Member.id.in_({t.owner_id for t in tasks})))).scalars()}
    limit = escalate_days(ctx)
    rows: list[dict] = []

    def add(member: Member, task: Task, stage: str, template: str, row_kind: str, keyboard=None, **params):
        if member.chat_id is None or not member.reachable or not member.active:
            return
        text = render(member.language, template, task=view(task, names, now, ctx), stage=stage, **params)
        rows.append(outbox.row(ctx, key=f"task:{task.id}:{stage}:{stamp(task.deadline_at)}:m{member.id}",
                               chat_id=member.chat_id, member_id=member.id, kind=row_kind,
                               messages=[outbox.message(text, keyboard)]))

    for task in tasks:
        if task.status not in ACTIVE:
            task.next_reminder_at = None
            continue
        stage = latest_stage(task, now, ctx)
        if stage > task.reminder_stage:
            owner = owners.get(task.owner_id)
            name = stage_name(stage)
            if owner is not None:
                add(owner, task, name, "tasks_reminder", "tasks.reminder", owner_keyboard(owner.language, task.id),
                    kind=name.rstrip("0123456789"))
            if stage >= OVERDUE and task.alerted_at is None:
                for sec in await cache.supervisors(session, task.lead_unit_id):
                    add(sec, task, "alert", "tasks_overdue_alert", "tasks.alert")
                task.alerted_at = now
            # Counted in calendar days like the owner's own reminder, so both say the same number that morning.
            late = days_overdue(task, now, ctx)
            if stage > OVERDUE and late >= limit and task.escalated_at is None:
                for admin in await cache.admin_list(session):
                    add(admin, task, "escalate", "tasks_escalation", "tasks.escalation", days=late)
                task.escalated_at = now
            task.reminder_stage = stage
        task.next_reminder_at = stage_moment(task, max(stage, task.reminder_stage) + 1, ctx)
    return rows


async def drop_pending_reminders(session: AsyncSession, task_id: int) -> None:
    """Reminders not sent yet are withdrawn the moment the task leaves the owner's desk."""
    await session.execute(delete(Outbox).where(
        Outbox.dedupe_key.like(f"task:{task_id}:%"), Outbox.status == PENDING, Outbox.kind.in_(REMINDER_KINDS)))
