"""The secretaries' morning digest (08:30 local): tasks of their units due within 3 days, overdue, and
reported done awaiting confirmation. Claimed once a day in the settings table, so replicas send it once."""
from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import bulk, calendar, members, outbox, producers
from storage.context import Context
from storage.models.org import Member
from storage.models.settings import Setting
from storage.tasks.models import ACTIVE, REPORTED, Task
from storage.tasks.views import LIST_LIMIT, task_views

DIGEST_AT = time(8, 30)


async def _claim_day(session: AsyncSession, key: str, value: str) -> bool:
    """Atomically mark a daily job done for today; False when another tick (or replica) already has."""
    stmt = bulk.dialect_insert(session)(Setting).values(key=key, value=value).on_conflict_do_nothing(index_elements=["key"])
    return ((await session.execute(stmt)).rowcount or 0) > 0


@producers.producer("tasks.digest")
async def produce_digest(session: AsyncSession, ctx: Context) -> int:
    """At 08:30 local, each secretary's digest: due in 3 days, overdue, reported done awaiting confirmation."""
    now = ctx.now()
    local_now = calendar.local(now, ctx)
    if local_now.time() < DIGEST_AT or calendar.is_quiet(now, ctx):
        return 0
    today = local_now.date()
    if not await _claim_day(session, f"tasks.digest:{today.isoformat()}", now.isoformat()):
        return 0
    secretaries = [m for m in (await session.execute(
        select(Member).where(Member.active.is_(True), Member.roles.contains("secretary"),
                             Member.chat_id.is_not(None), Member.reachable.is_(True)).order_by(Member.id)
    )).scalars() if m.has_role("secretary")]
    soon = today + timedelta(days=3)  # by the date on the list, as the colours count (blue: within 3 days)
    rows = []
    for sec in secretaries:
        scope = await members.staff_unit_ids(session, sec)
        query = select(Task).where(
            Task.status.in_((*ACTIVE, REPORTED)),
            (Task.status == REPORTED) | (Task.due_date <= soon))
        if scope is not None:
            query = query.where(Task.lead_unit_id.in_(scope))
        tasks = list((await session.execute(query.order_by(Task.deadline_at, Task.id))).scalars())
        if not tasks:
            continue
        vs = await task_views(session, ctx, tasks)
        overdue = [v for t, v in zip(tasks, vs) if t.status in ACTIVE and t.deadline_at <= now]
        due = [v for t, v in zip(tasks, vs) if t.status in ACTIVE and t.deadline_at > now]
        waiting = [v for t, v in zip(tasks, vs) if t.status == REPORTED]
        text = render(sec.language, "tasks_digest", day=today, due=due[:LIST_LIMIT], overdue=overdue[:LIST_LIMIT],
                      waiting=waiting[:LIST_LIMIT], counts=[len(due), len(overdue), len(waiting)])
        rows.append(outbox.row(ctx, key=f"taskdigest:{today.isoformat()}:m{sec.id}", chat_id=sec.chat_id,
                               member_id=sec.id, kind="tasks.digest", messages=[outbox.message(text)]))
    return await outbox.enqueue_many(session, rows)
