"""Nudge (催办): the lead unit's secretary (or an admin) reminds a task's owner with one press, from /overdue or
the task's card. Once a local day per task; the task records when and by whom, and its history gets a line."""
from __future__ import annotations

from datetime import time

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from messages import plain, render
from messages.buttons import tasks as task_buttons
from storage import audit, calendar, outbox
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.tasks.models import ACTIVE, Task, TaskNote
from storage.tasks.rules import OverdueGroup, can_supervise, task_by_id
from storage.tasks.views import actions_keyboard, load_names, view

OVERDUE_BUTTONS = 20


async def nudge(session: AsyncSession, ctx: Context, member: Member, task_id) -> dict:
    """Remind the owner now; a second nudge on the same local day is refused, naming the first."""
    if not member.is_staff:
        raise Refused("not_allowed")
    task = await task_by_id(session, task_id)
    if not await can_supervise(session, member, task):
        raise Refused("tasks_not_your_unit")
    if task.status not in ACTIVE:
        raise Refused("tasks_state_changed", status=task.status)
    now = ctx.now()
    today = calendar.local(now, ctx).date()
    # The day's nudge is claimed by one conditional update before anything is written: two presses at once
    # (two replicas) cannot both see "not nudged today"; the second waits for the first and is refused.
    claimed = await session.execute(
        update(Task).where(Task.id == task.id, or_(Task.nudged_at.is_(None),
                                                   Task.nudged_at < calendar.at_local(today, time(0), ctx)))
        .values(nudged_at=now, nudged_by_id=member.id).execution_options(synchronize_session=False))
    await session.refresh(task, ["nudged_at", "nudged_by_id"])
    if claimed.rowcount != 1:
        first = await session.get(Member, task.nudged_by_id) if task.nudged_by_id else None
        raise Refused("tasks_nudged_today", no=task.task_no, by=first.name if first else "",
                      at=calendar.local(task.nudged_at, ctx))
    session.add(TaskNote(task_id=task.id, author_id=member.id, kind="nudge", text="", at=now))
    owner = await session.get(Member, task.owner_id)
    names = await load_names(session, [task])
    shown = view(task, names, now, ctx)
    if owner is not None and owner.active:
        text = render(owner.language, "tasks_nudge_to_owner", task=shown, by=member.name)
        await outbox.to_member(session, ctx, owner, key=f"task:{task.id}:nudge:{today.isoformat()}",
                               messages=[outbox.message(text, actions_keyboard(owner.language, task))],
                               kind="tasks.nudged")
    audit.record(session, ctx, "task.nudged", "task", task.id, actor_id=member.id)
    return shown


def overdue_keyboard(lang: str, groups: list[OverdueGroup]) -> list[list[dict]]:
    """One 催办 button per overdue task of /overdue (the first few), two a row."""
    found = [t for g in groups for t in g.tasks][:OVERDUE_BUTTONS]
    row_buttons = [task_buttons.task(plain(lang, "tasks_nudge_button", task=t), t["id"], task_buttons.NUDGE)
                   for t in found]
    return [row_buttons[i:i + 2] for i in range(0, len(row_buttons), 2)]
