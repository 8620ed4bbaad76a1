"""How a task looks to the people it concerns: names, colours and buttons for the templates, and who
supervises it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.buttons import tasks as task_buttons
from messages import render
from storage import calendar, members
from storage.context import Context
from storage.models.org import Member, Unit
from storage.tasks.models import ACTIVE, Task, TaskUnit
from storage.tasks.schedule import colour, days_overdue, deadline_text, hours_overdue

LIST_LIMIT = 30


@dataclass
class Names:
    """Unit and member names for a set of tasks, loaded in two queries."""

    units: dict[int, str] = field(default_factory=dict)
    members: dict[int, str] = field(default_factory=dict)
    coops: dict[int, list[int]] = field(default_factory=dict)


async def load_names(session: AsyncSession, tasks: list[Task]) -> Names:
    names = Names()
    ids = [t.id for t in tasks]
    if not ids:
        return names
    for task_id, unit_id in (await session.execute(
            select(TaskUnit.task_id, TaskUnit.unit_id).where(TaskUnit.task_id.in_(ids))
            .order_by(TaskUnit.task_id, TaskUnit.position))).all():
        names.coops.setdefault(task_id, []).append(unit_id)
    unit_ids = {t.lead_unit_id for t in tasks} | {u for us in names.coops.values() for u in us}
    names.units = dict((await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))).all())
    member_ids = {t.owner_id for t in tasks} | {t.confirmed_by_id for t in tasks if t.confirmed_by_id}
    names.members = dict((await session.execute(
        select(Member.id, Member.name).where(Member.id.in_(member_ids)))).all())
    return names


def view(task: Task, names: Names, now: datetime, ctx: Context) -> dict:
    return {
        "id": task.id, "no": task.task_no, "title": task.title, "description": task.description or "",
        "lead": names.units.get(task.lead_unit_id, ""),
        "coops": [names.units.get(u, "") for u in names.coops.get(task.id, [])],
        "owner": names.members.get(task.owner_id, ""), "deadline": deadline_text(task),
        "status": task.status, "colour": colour(task, now, ctx),
        "days_left": (task.due_date - calendar.local(now, ctx).date()).days,
        "overdue": now >= task.deadline_at, "days_overdue": days_overdue(task, now, ctx),
        "hours_overdue": hours_overdue(task, now, ctx), "note": task.completion_note or "",
    }


async def task_views(session: AsyncSession, ctx: Context, tasks: list[Task]) -> list[dict]:
    names = await load_names(session, tasks)
    now = ctx.now()
    return [view(t, names, now, ctx) for t in tasks]


def owner_keyboard(lang: str, task_id: int) -> list[list[dict]]:
    return [[task_buttons.task(render(lang, "tasks_button", name="progress"), task_id, task_buttons.PROGRESS),
             task_buttons.task(render(lang, "tasks_button", name="done"), task_id, task_buttons.DONE)]]


def actions_keyboard(lang: str, task: Task) -> list[list[dict]] | None:
    """The owner's buttons while the task is on their desk; none once reported, done or cancelled."""
    return owner_keyboard(lang, task.id) if task.status in ACTIVE else None


def supervisor_keyboard(lang: str, task_id: int) -> list[list[dict]]:
    return [[task_buttons.task(render(lang, "tasks_button", name="confirm"), task_id, task_buttons.CONFIRM),
             task_buttons.task(render(lang, "tasks_button", name="return"), task_id, task_buttons.RETURN)]]


async def supervisors(session: AsyncSession, unit_id: int) -> list[Member]:
    """The lead unit's secretaries; the admins when the unit has none, so nothing goes unheard."""
    found = await members.secretaries_for_unit(session, unit_id)
    return found or await members.admins(session)
