"""Short lists for a phone: /tasks as one message, ten tasks a page; a secretary's list of their units' tasks
(all, overdue, due this week, reported done); a task's card with the buttons its reader may press, and its
progress notes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import plain, render
from messages.buttons import tasks as task_buttons
from storage import calendar, members
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.tasks.evidence import of_note
from storage.tasks.models import ACTIVE, REPORTED, Task, TaskNote
from storage.tasks.rules import can_supervise, task_by_id
from storage.tasks.views import load_names, owner_keyboard, supervisor_keyboard, view

PAGE = 10
TITLE_ON_BUTTON = 24


@dataclass
class Page:
    whose: str
    filter: str
    number: int
    pages: int
    total: int
    tasks: list[dict] = field(default_factory=list)
    keyboard: list[list[dict]] = field(default_factory=list)


async def _query(session: AsyncSession, ctx: Context, member: Member, whose: str, filter_: str):
    if whose == task_buttons.MINE:
        return select(Task).where(Task.owner_id == member.id, Task.status.in_((*ACTIVE, REPORTED)))
    if not member.is_staff:
        raise Refused("not_allowed")
    query = select(Task)
    scope = await members.staff_unit_ids(session, member)
    if scope is not None:
        query = query.where(Task.lead_unit_id.in_(scope))
    if filter_ == "overdue":
        return query.where(Task.status.in_(ACTIVE), Task.deadline_at <= ctx.now())
    if filter_ == "reported":
        return query.where(Task.status == REPORTED)
    query = query.where(Task.status.in_((*ACTIVE, REPORTED)))
    if filter_ == "week":  # due from today to this Sunday, local time
        today = calendar.local(ctx.now(), ctx).date()
        query = query.where(Task.due_date >= today, Task.due_date <= today + timedelta(days=6 - today.weekday()))
    return query


async def page(session: AsyncSession, ctx: Context, member: Member, whose: str = task_buttons.MINE,
               filter_: str = "all", number: int = 1) -> Page:
    """One page of a list, with a button per task (its card), ◀ ▶, and for staff the filters."""
    query = await _query(session, ctx, member, whose, filter_)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    pages = max(1, -(-total // PAGE))
    number = min(max(1, number), pages)
    tasks = list((await session.execute(
        query.order_by(Task.deadline_at, Task.id).offset((number - 1) * PAGE).limit(PAGE))).scalars())
    names, now = await load_names(session, tasks), ctx.now()
    result = Page(whose, filter_, number, pages, total, [view(t, names, now, ctx) for t in tasks])
    lang = member.language
    for item in result.tasks:
        title = item["title"] if len(item["title"]) <= TITLE_ON_BUTTON else item["title"][:TITLE_ON_BUTTON] + "…"
        result.keyboard.append([task_buttons.task(plain(lang, "tasks_list_button", task={**item, "title": title}),
                                                  item["id"], task_buttons.OPEN)])
    turn_page = []
    if number > 1:
        turn_page.append(task_buttons.page("◀", number - 1, whose, filter_))
    if number < pages:
        turn_page.append(task_buttons.page("▶", number + 1, whose, filter_))
    if turn_page:
        result.keyboard.append(turn_page)
    if member.is_staff:
        filters = [task_buttons.page(plain(lang, "tasks_filter", name=f), 1, task_buttons.UNITS, f)
                   for f in task_buttons.FILTERS if not (whose == task_buttons.UNITS and f == filter_)]
        if whose == task_buttons.UNITS:
            filters.insert(0, task_buttons.page(plain(lang, "tasks_filter", name="mine"), 1, task_buttons.MINE, "all"))
        result.keyboard += [filters[:2], filters[2:]]
    return result


async def _readable(session: AsyncSession, member: Member, task_id) -> tuple[Task, bool]:
    """The task and whether the reader supervises it; only its owner and its supervisors may read it."""
    task = await task_by_id(session, task_id)
    supervises = member.is_staff and await can_supervise(session, member, task)
    if task.owner_id != member.id and not supervises:
        raise Refused("tasks_not_yours")
    return task, supervises


async def card(session: AsyncSession, ctx: Context, member: Member, task_id) -> tuple[dict, list[list[dict]]]:
    """A task's card and the buttons its reader may press: the owner's progress and done while it is on their
    desk, the supervisor's confirm and return once reported, nudge while open, and the notes."""
    task, supervises = await _readable(session, member, task_id)
    lang = member.language
    keyboard: list[list[dict]] = []
    if task.owner_id == member.id and task.status in ACTIVE:
        keyboard += owner_keyboard(lang, task.id)
    if supervises and task.status == REPORTED:
        keyboard += supervisor_keyboard(lang, task.id)
    extra = [task_buttons.task(render(lang, "tasks_button", name="notes"), task.id, task_buttons.NOTES)]
    if supervises and task.status in ACTIVE:
        extra.append(task_buttons.task(render(lang, "tasks_button", name="nudge"), task.id, task_buttons.NUDGE))
    keyboard.append(extra)
    names = await load_names(session, [task])
    return view(task, names, ctx.now(), ctx), keyboard


async def notes(session: AsyncSession, ctx: Context, member: Member, task_id) -> tuple[dict, list[dict]]:
    """The task and its history (progress, done, confirm, return, cancel, nudge), oldest first."""
    task, _ = await _readable(session, member, task_id)
    rows = (await session.execute(
        select(TaskNote, Member.name).outerjoin(Member, Member.id == TaskNote.author_id)
        .where(TaskNote.task_id == task.id).order_by(TaskNote.at, TaskNote.id))).all()
    names = await load_names(session, [task])
    return view(task, names, ctx.now(), ctx), [
        {"kind": n.kind, "text": n.text or "", "by": name or "", "at": calendar.local(n.at, ctx),
         "evidence": of_note(n)} for n, name in rows]
