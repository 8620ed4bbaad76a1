"""The responsibility list (责任清单): import, the owner's and the secretary's actions, reminders, the daily
digest and the KPI figures.

Reminder stages of a task, in order (the stage index is what `Task.reminder_stage` remembers):
0 `due3d`, 1 `due1d`, 2 `due0d` at 09:00 local 3 days before, 1 day before and on the deadline's morning;
3 `overdue` the moment the deadline passes (the lead unit's secretaries are alerted too);
3+n `overdue<n>` at 09:00 on the n-th day after, one a day (the admins get an escalation once n reaches
`overdue_escalate_days`). A tick enqueues only the latest stage that is due, so after downtime the owner
gets one current reminder, not a burst of stale ones; each outbox row's dedupe key names the task, the stage,
the deadline and the recipient, so restarts and replicas send it once.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import Prefix, button
from messages import render
from storage import audit, calendar, dialogs, members, outbox, producers
from storage.context import Context
from storage.errors import InvalidFile, Problem, Refused
from storage.models.org import Member, Unit
from storage.models.outbox import PENDING, Outbox
from storage.models.settings import Setting
from storage.models.tasks import (ACTIVE, DONE, IN_PROGRESS, OPEN, REPORTED, Task, TaskNote,
                                  TaskUnit)
from storage.tabular import parse_datetime, read_table, split_list

COLUMNS = {
    "task_no": ("任务编号", "编号", "task no"),
    "title": ("任务", "任务名称", "任务内容", "task"),
    "lead_department": ("主责部门", "牵头部门", "lead department", "lead unit"),
    "cooperating_departments": ("配合部门", "协同部门", "cooperating departments"),
    "owner_employee_no": ("责任人工号", "具体责任人工号", "owner employee no", "owner"),
    "deadline": ("完成时限", "截止日期", "截止时间", "时限"),
    "description": ("说明", "备注", "任务说明"),
}
REQUIRED = ("task_no", "title", "lead_department", "owner_employee_no", "deadline")
TEMPLATE_HEADERS = {
    "zh": ("任务编号", "任务", "主责部门", "配合部门", "责任人工号", "完成时限", "说明"),
    "en": ("task_no", "title", "lead_department", "cooperating_departments", "owner_employee_no", "deadline",
           "description"),
}

REMINDER_AT = time(9, 0)
DIGEST_AT = time(8, 30)
PRE_STAGES = ("due3d", "due1d", "due0d")
PRE_DAYS = (3, 1, 0)
OVERDUE = 3
DEFAULT_ESCALATE_DAYS = 3
BATCH = 500
MAX_PER_TICK = 20_000
NOTE_MAX = 2000
LIST_LIMIT = 30
REMINDER_KINDS = ("tasks.reminder", "tasks.alert", "tasks.escalation")


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
    if now < task.deadline_at:
        return 0
    return max(1, (calendar.local(now, ctx).date() - task.due_date).days)


# --- what templates see -----------------------------------------------------------------------------

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
        "days_overdue": days_overdue(task, now, ctx), "note": task.completion_note or "",
    }


async def views(session: AsyncSession, ctx: Context, tasks: list[Task]) -> list[dict]:
    names = await load_names(session, tasks)
    now = ctx.now()
    return [view(t, names, now, ctx) for t in tasks]


def owner_keyboard(lang: str, task_id: int) -> list[list[dict]]:
    return [[button(render(lang, "tasks_button", name="progress"), Prefix.TASK, task_id, "progress"),
             button(render(lang, "tasks_button", name="done"), Prefix.TASK, task_id, "done")]]


def supervisor_keyboard(lang: str, task_id: int) -> list[list[dict]]:
    return [[button(render(lang, "tasks_button", name="confirm"), Prefix.TASK, task_id, "confirm"),
             button(render(lang, "tasks_button", name="return"), Prefix.TASK, task_id, "return")]]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M")


# --- import -----------------------------------------------------------------------------------------

@dataclass
class TaskEntry:
    row: int
    task_no: str
    title: str
    lead_unit_id: int
    coop_unit_ids: list[int]
    owner_id: int
    due_date: date
    due_time: time | None
    description: str
    source: str | None = None


@dataclass
class ImportResult:
    created: int
    updated: int
    rescheduled: int


async def _unit_index(session: AsyncSession) -> dict[str, int]:
    """Unit name -> id; a department wins over a branch of the same name."""
    index: dict[str, int] = {}
    for uid, kind, name in (await session.execute(
            select(Unit.id, Unit.kind, Unit.name).order_by(Unit.kind.desc(), Unit.id))).all():
        if kind == "department" or name not in index:
            index[name] = uid
    return index


async def check(session: AsyncSession, data: bytes, filename: str) -> list[TaskEntry]:
    """Every row checked against the organisation; any problem rejects the whole file (InvalidFile)."""
    rows = read_table(data, filename, COLUMNS, REQUIRED)
    unit_ids = await _unit_index(session)
    wanted = {r.text("owner_employee_no") for r in rows if r.text("owner_employee_no")}
    owners = dict((await session.execute(
        select(Member.employee_no, Member.id).where(Member.employee_no.in_(wanted), Member.active.is_(True))
    )).all()) if wanted else {}
    problems: list[Problem] = []
    entries: list[TaskEntry] = []
    seen: dict[str, int] = {}
    for row in rows:
        n, before = row.number, len(problems)
        task_no, title = row.text("task_no"), row.text("title")
        if not task_no:
            problems.append(Problem(n, "missing", {"column": "task_no"}))
        elif len(task_no) > 64:
            problems.append(Problem(n, "bad_value", {"column": "task_no", "value": task_no[:20] + "…"}))
        elif task_no in seen:
            problems.append(Problem(n, "duplicate", {"column": "task_no", "value": task_no, "first": seen[task_no]}))
        else:
            seen[task_no] = n
        if not title:
            problems.append(Problem(n, "missing", {"column": "title"}))
        elif len(title) > 500:
            problems.append(Problem(n, "bad_value", {"column": "title", "value": title[:20] + "…"}))
        lead = row.text("lead_department")
        if not lead:
            problems.append(Problem(n, "missing", {"column": "lead_department"}))
        elif lead not in unit_ids:
            problems.append(Problem(n, "unknown_unit", {"value": lead}))
        coops: list[int] = []
        for name in split_list(row.text("cooperating_departments")):
            if name not in unit_ids:
                problems.append(Problem(n, "unknown_unit", {"value": name}))
            elif unit_ids[name] not in coops and name != lead:
                coops.append(unit_ids[name])
        owner_no = row.text("owner_employee_no")
        if not owner_no:
            problems.append(Problem(n, "missing", {"column": "owner_employee_no"}))
        elif owner_no not in owners:
            problems.append(Problem(n, "unknown_member", {"value": owner_no}))
        raw_deadline = row.values.get("deadline")
        parsed = parse_datetime(raw_deadline) if row.text("deadline") else None
        if not row.text("deadline"):
            problems.append(Problem(n, "missing", {"column": "deadline"}))
        elif parsed is None:
            problems.append(Problem(n, "bad_date", {"column": "deadline", "value": row.text("deadline")}))
        if len(problems) == before:
            entries.append(TaskEntry(n, task_no, title, unit_ids[lead], coops, owners[owner_no], parsed[0],
                                     parsed[1], row.text("description")))
    if problems:
        raise InvalidFile(problems)
    return entries


async def apply(session: AsyncSession, ctx: Context, entries: list[TaskEntry], actor_id: int | None = None,
                action: str = "tasks.imported") -> ImportResult:
    """Upsert by task_no; a changed deadline starts the reminders over, a new owner is told."""
    now = ctx.now()
    existing = {t.task_no: t for t in (await session.execute(
        select(Task).where(Task.task_no.in_([e.task_no for e in entries])))).scalars()}
    created = updated = rescheduled = 0
    told: list[tuple[Task, str]] = []
    for e in entries:
        task = existing.get(e.task_no)
        deadline_at = deadline_moment(e.due_date, e.due_time, ctx)
        if task is None:
            task = Task(task_no=e.task_no, status=OPEN, created_at=now)
            session.add(task)
            created += 1
            changed_deadline, new_owner = True, True
        else:
            updated += 1
            changed_deadline = task.deadline_at != deadline_at
            new_owner = task.owner_id != e.owner_id
        task.title, task.description, task.lead_unit_id = e.title, e.description, e.lead_unit_id
        if e.source is not None:
            task.source = e.source
        task.owner_id, task.due_date, task.due_time, task.deadline_at = e.owner_id, e.due_date, e.due_time, deadline_at
        task.updated_at = now
        if changed_deadline:
            if task.id is not None:
                rescheduled += 1
            reschedule(task, ctx)
        await session.flush()
        await session.execute(delete(TaskUnit).where(TaskUnit.task_id == task.id))
        if e.coop_unit_ids:
            session.add_all([TaskUnit(task_id=task.id, unit_id=u, position=i) for i, u in enumerate(e.coop_unit_ids)])
        if task.status in ACTIVE and (new_owner or changed_deadline):
            told.append((task, "assigned" if new_owner else "deadline"))
    await session.flush()
    await _tell_owners(session, ctx, told)
    audit.record(session, ctx, action, "tasks", None, actor_id=actor_id, created=created,
                 updated=updated, rescheduled=rescheduled)
    return ImportResult(created, updated, rescheduled)


async def import_file(session: AsyncSession, ctx: Context, data: bytes, filename: str,
                      actor_id: int | None = None) -> ImportResult:
    return await apply(session, ctx, await check(session, data, filename), actor_id)


async def _tell_owners(session: AsyncSession, ctx: Context, told: list[tuple[Task, str]]) -> None:
    """A new task or a moved deadline is news for its owner (one outbox row each)."""
    if not told:
        return
    names = await load_names(session, [t for t, _ in told])
    owners = {m.id: m for m in (await session.execute(
        select(Member).where(Member.id.in_({t.owner_id for t, _ in told})))).scalars()}
    now, rows = ctx.now(), []
    for task, what in told:
        owner = owners.get(task.owner_id)
        if owner is None or owner.chat_id is None or not owner.reachable or not owner.active:
            continue
        text = render(owner.language, "tasks_assigned", what=what, task=view(task, names, now, ctx))
        rows.append(outbox.row(ctx, key=f"task:{task.id}:{what}:{_stamp(task.deadline_at)}:m{owner.id}",
                               chat_id=owner.chat_id, member_id=owner.id, kind="tasks.assigned",
                               messages=[outbox.message(text, owner_keyboard(owner.language, task.id))]))
    await outbox.enqueue_many(session, rows)


def template_xlsx(lang: str) -> bytes:
    """The import template: the headers and one example row."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "责任清单" if lang == "zh" else "tasks"
    ws.append(list(TEMPLATE_HEADERS.get(lang, TEMPLATE_HEADERS["zh"])))
    ws.append(["2026-001", render(lang, "tasks_template_example", field="title"),
               render(lang, "tasks_template_example", field="lead"),
               render(lang, "tasks_template_example", field="coops"), "1001", date(2026, 12, 31),
               render(lang, "tasks_template_example", field="description")])
    ws.cell(row=2, column=6).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEFG", (12, 30, 14, 20, 12, 14, 30)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- the owner ---------------------------------------------------------------------------------------

async def my_tasks(session: AsyncSession, ctx: Context, member: Member) -> list[Task]:
    """The owner's tasks still on their desk (and those waiting for confirmation), soonest deadline first."""
    return list((await session.execute(
        select(Task).where(Task.owner_id == member.id, Task.status.in_((*ACTIVE, REPORTED)))
        .order_by(Task.deadline_at, Task.id)
    )).scalars())


async def _task(session: AsyncSession, task_id) -> Task:
    try:
        task = await session.get(Task, int(task_id))
    except (TypeError, ValueError):
        task = None
    if task is None:
        raise Refused("tasks_not_found")
    return task


async def _owned(session: AsyncSession, member: Member, task_id) -> Task:
    task = await _task(session, task_id)
    if task.owner_id != member.id:
        raise Refused("tasks_not_yours")
    if task.status not in ACTIVE:
        raise Refused("tasks_state_changed", status=task.status)
    return task


async def can_supervise(session: AsyncSession, member: Member, task: Task) -> bool:
    """Admins, and secretaries whose department or branch holds the task's lead unit."""
    scope = await members.staff_unit_ids(session, member)
    return scope is None or task.lead_unit_id in scope


async def _supervised(session: AsyncSession, member: Member, task_id) -> Task:
    if not member.is_staff:
        raise Refused("not_allowed")
    task = await _task(session, task_id)
    if not await can_supervise(session, member, task):
        raise Refused("tasks_not_your_unit")
    if task.status != REPORTED:
        raise Refused("tasks_state_changed", status=task.status)
    return task


NOTE_DIALOG = "tasks.note"


async def begin_note(session: AsyncSession, ctx: Context, member: Member, task_id, kind: str) -> dict:
    """Ask for a progress note, a completion note (owner) or a reason to return (lead unit's secretary)."""
    if kind in ("progress", "done"):
        task = await _owned(session, member, task_id)
    elif kind == "return":
        task = await _supervised(session, member, task_id)
    else:
        raise Refused("button_expired")
    await dialogs.start(session, ctx, member.id, NOTE_DIALOG, kind, {"task_id": task.id})
    return (await views(session, ctx, [task]))[0]


async def save_note(session: AsyncSession, ctx: Context, member: Member, kind: str, task_id,
                    text: str) -> dict:
    """The typed note for `begin_note`; the state is re-checked, since it may have moved meanwhile."""
    text = (text or "").strip()
    if not text:
        raise Refused("tasks_note_empty")
    if len(text) > NOTE_MAX:
        raise Refused("tasks_note_too_long", limit=NOTE_MAX)
    if kind == "progress":
        task = await add_progress(session, ctx, member, task_id, text)
    elif kind == "done":
        task = await report_done(session, ctx, member, task_id, text)
    elif kind == "return":
        task = await return_task(session, ctx, member, task_id, text)
    else:
        raise Refused("button_expired")
    await dialogs.clear(session, member.id)
    return (await views(session, ctx, [task]))[0]


async def _note(session: AsyncSession, ctx: Context, task: Task, member: Member, kind: str,
                text: str = "") -> TaskNote:
    """A line in the task's history; its id names the event in outbox dedupe keys."""
    note = TaskNote(task_id=task.id, author_id=member.id, kind=kind, text=text, at=ctx.now())
    session.add(note)
    await session.flush()
    return note


async def add_progress(session: AsyncSession, ctx: Context, member: Member, task_id, text: str) -> Task:
    task = await _owned(session, member, task_id)
    task.status, task.updated_at = IN_PROGRESS, ctx.now()
    await _note(session, ctx, task, member, "progress", text)
    return task


async def report_done(session: AsyncSession, ctx: Context, member: Member, task_id, text: str) -> Task:
    """The owner says it is done: reminders stop now, the lead unit's secretaries are asked to confirm."""
    task = await _owned(session, member, task_id)
    now = ctx.now()
    task.status, task.completion_note, task.reported_at, task.updated_at = REPORTED, text, now, now
    task.next_reminder_at = None
    note = await _note(session, ctx, task, member, "done", text)
    await _drop_pending_reminders(session, task.id)
    names = await load_names(session, [task])
    rows = []
    for sec in await supervisors(session, task.lead_unit_id):
        if sec.chat_id is None or not sec.reachable:
            continue
        body = render(sec.language, "tasks_report_to_secretary", task=view(task, names, now, ctx))
        rows.append(outbox.row(ctx, key=f"task:{task.id}:reported:n{note.id}:m{sec.id}", chat_id=sec.chat_id,
                               member_id=sec.id, kind="tasks.reported",
                               messages=[outbox.message(body, supervisor_keyboard(sec.language, task.id))]))
    await outbox.enqueue_many(session, rows)
    audit.record(session, ctx, "task.reported", "task", task.id, actor_id=member.id)
    return task


async def confirm(session: AsyncSession, ctx: Context, member: Member, task_id) -> dict:
    task = await _supervised(session, member, task_id)
    now = ctx.now()
    task.status, task.confirmed_by_id, task.confirmed_at, task.updated_at = DONE, member.id, now, now
    note = await _note(session, ctx, task, member, "confirm")
    await _tell_owner(session, ctx, task, "confirmed", note)
    audit.record(session, ctx, "task.confirmed", "task", task.id, actor_id=member.id)
    return (await views(session, ctx, [task]))[0]


async def return_task(session: AsyncSession, ctx: Context, member: Member, task_id, reason: str) -> Task:
    """Not done yet: back to the owner with the reason, and the reminders resume."""
    task = await _supervised(session, member, task_id)
    now = ctx.now()
    task.status, task.reported_at, task.updated_at = IN_PROGRESS, None, now
    task.next_reminder_at = now  # the producer works out which stage is current
    note = await _note(session, ctx, task, member, "return", reason)
    await _tell_owner(session, ctx, task, "returned", note, reason=reason, by=member.name)
    audit.record(session, ctx, "task.returned", "task", task.id, actor_id=member.id)
    return task


async def _tell_owner(session: AsyncSession, ctx: Context, task: Task, what: str, note: TaskNote,
                      **params) -> None:
    owner = await session.get(Member, task.owner_id)
    if owner is None:
        return
    names = await load_names(session, [task])
    text = render(owner.language, "tasks_owner_notice", what=what, task=view(task, names, ctx.now(), ctx),
                  **params)
    keyboard = owner_keyboard(owner.language, task.id) if task.status in ACTIVE else None
    await outbox.to_member(session, ctx, owner, key=f"task:{task.id}:{what}:n{note.id}:m{owner.id}",
                           messages=[outbox.message(text, keyboard)], kind=f"tasks.{what}")


async def _drop_pending_reminders(session: AsyncSession, task_id: int) -> None:
    """Reminders not sent yet are withdrawn the moment the task leaves the owner's desk."""
    await session.execute(delete(Outbox).where(
        Outbox.dedupe_key.like(f"task:{task_id}:%"), Outbox.status == PENDING, Outbox.kind.in_(REMINDER_KINDS)))


async def supervisors(session: AsyncSession, unit_id: int) -> list[Member]:
    """The lead unit's secretaries; the admins when the unit has none, so nothing goes unheard."""
    found = await members.secretaries_for_unit(session, unit_id)
    return found or await members.admins(session)


# --- secretaries -------------------------------------------------------------------------------------

@dataclass
class OverdueGroup:
    unit: str
    tasks: list[dict]


async def overdue_for(session: AsyncSession, ctx: Context, member: Member) -> list[OverdueGroup]:
    """Overdue tasks of the units this secretary answers for (admins: all), grouped by lead unit."""
    scope = await members.staff_unit_ids(session, member)
    now = ctx.now()
    query = select(Task).where(Task.status.in_(ACTIVE), Task.deadline_at <= now)
    if scope is not None:
        query = query.where(Task.lead_unit_id.in_(scope))
    tasks = list((await session.execute(query.order_by(Task.lead_unit_id, Task.deadline_at, Task.id))).scalars())
    names = await load_names(session, tasks)
    groups: dict[int, OverdueGroup] = {}
    for t in tasks:
        group = groups.setdefault(t.lead_unit_id, OverdueGroup(names.units.get(t.lead_unit_id, ""), []))
        group.tasks.append(view(t, names, now, ctx))
    return sorted(groups.values(), key=lambda g: g.unit)


# --- /newtask ------------------------------------------------------------------------------------------

NEW_DIALOG = "tasks.new"
NEW_STEPS = ("title", "lead", "owner", "deadline", "coops", "confirm")
NONE_WORDS = {"-", "—", "无", "没有", "none", "no", "0"}


async def begin_new(session: AsyncSession, ctx: Context, member: Member) -> None:
    if not member.is_staff:
        raise Refused("not_allowed")
    await dialogs.start(session, ctx, member.id, NEW_DIALOG, "title", {})


async def new_input(session: AsyncSession, ctx: Context, member: Member, dialog, text: str) -> tuple[str, dict]:
    """One typed answer of /newtask; returns the next step and what its prompt shows.

    A bad answer raises Refused: the transaction rolls back and the same question stands.
    """
    text = (text or "").strip()
    step = dialog.step
    if not text:
        raise Refused("tasks_note_empty")
    if step == "title":
        if len(text) > 500:
            raise Refused("tasks_note_too_long", limit=500)
        data = {"title": text}
    elif step == "lead":
        unit_id = (await _unit_index(session)).get(text)
        if unit_id is None:
            raise Refused("tasks_new_unknown_unit", name=text)
        scope = await members.staff_unit_ids(session, member)
        if scope is not None and unit_id not in scope:
            raise Refused("tasks_not_your_unit")
        data = {"lead_unit_id": unit_id, "lead": text}
    elif step == "owner":
        owner = await members.by_employee_no(session, text)
        if owner is None or not owner.active:
            raise Refused("tasks_new_unknown_member", value=text)
        data = {"owner_id": owner.id, "owner": owner.name}
    elif step == "deadline":
        parsed = parse_datetime(text)
        if parsed is None:
            raise Refused("tasks_new_bad_date", value=text)
        if deadline_moment(parsed[0], parsed[1], ctx) <= ctx.now():
            raise Refused("tasks_deadline_past", value=text)
        data = {"due_date": parsed[0].isoformat(), "due_time": parsed[1].strftime("%H:%M") if parsed[1] else None,
                "deadline": text}
    elif step == "coops":
        index, ids, shown = await _unit_index(session), [], []
        if text.lower() not in NONE_WORDS:
            for name in split_list(text):
                if name not in index:
                    raise Refused("tasks_new_unknown_unit", name=name)
                if index[name] not in ids and index[name] != dialog.data.get("lead_unit_id"):
                    ids.append(index[name])
                    shown.append(name)
        data = {"coop_unit_ids": ids, "coops": shown}
    else:
        raise Refused("tasks_new_press_button")
    following = NEW_STEPS[NEW_STEPS.index(step) + 1]
    await dialogs.advance(session, ctx, dialog, following, **data)
    return following, dict(dialog.data)


async def create_from_dialog(session: AsyncSession, ctx: Context, member: Member) -> dict:
    """The confirm button of /newtask."""
    if not member.is_staff:
        raise Refused("not_allowed")
    dialog = await dialogs.get(session, member.id)
    if dialog is None or dialog.kind != NEW_DIALOG or dialog.step != "confirm":
        raise Refused("button_expired")
    d = dialog.data
    scope = await members.staff_unit_ids(session, member)
    if scope is not None and d["lead_unit_id"] not in scope:
        raise Refused("tasks_not_your_unit")
    due_date = date.fromisoformat(d["due_date"])
    deadline = (calendar.at_local(due_date, time.fromisoformat(d["due_time"]), ctx) if d.get("due_time")
                else due_date)
    task = await create_task(session, ctx, title=d["title"], lead_unit_id=d["lead_unit_id"], owner_id=d["owner_id"],
                             deadline=deadline, cooperating_unit_ids=d["coop_unit_ids"], actor_id=member.id)
    await dialogs.clear(session, member.id)
    return (await views(session, ctx, [task]))[0]


async def create_task(session: AsyncSession, ctx: Context, *, title: str, lead_unit_id: int, owner_id: int,
                      deadline: datetime | date, description: str = "", source: str | None = None,
                      actor_id: int | None = None, cooperating_unit_ids: list[int] | tuple = ()) -> Task:
    """One new task with the next free number of the year: the seam /newtask, reception outcomes and feedback
    measures share. `deadline` is a date (passes at the end of that day) or an aware moment. The owner is
    told and the reminders are scheduled, as for an imported task."""
    owner = await session.get(Member, owner_id)
    if owner is None or not owner.active:
        raise Refused("tasks_new_unknown_member", value=str(owner_id))
    if await session.get(Unit, lead_unit_id) is None:
        raise Refused("tasks_new_unknown_unit", name=str(lead_unit_id))
    if isinstance(deadline, datetime):
        local = calendar.local(deadline, ctx)
        due_date, due_time = local.date(), local.time().replace(second=0, microsecond=0)
    else:
        due_date, due_time = deadline, None
    entry = TaskEntry(0, await _next_number(session, ctx), (title or "").strip()[:500], lead_unit_id,
                      [u for u in dict.fromkeys(cooperating_unit_ids) if u != lead_unit_id], owner_id, due_date,
                      due_time, description or "", source)
    await apply(session, ctx, [entry], actor_id=actor_id, action="task.created")
    return (await session.execute(select(Task).where(Task.task_no == entry.task_no))).scalar_one()


async def _next_number(session: AsyncSession, ctx: Context) -> str:
    prefix = f"{calendar.local(ctx.now(), ctx).year}-N"
    count = (await session.execute(select(func.count(Task.id)).where(Task.task_no.like(f"{prefix}%")))).scalar_one()
    while True:
        count += 1
        candidate = f"{prefix}{count:03d}"
        if (await session.execute(select(Task.id).where(Task.task_no == candidate))).first() is None:
            return candidate


# --- reminders ---------------------------------------------------------------------------------------

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
        rows.append(outbox.row(ctx, key=f"task:{task.id}:{stage}:{_stamp(task.deadline_at)}:m{member.id}",
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
            if stage - OVERDUE >= limit and task.escalated_at is None:
                for admin in await cache.admin_list(session):
                    add(admin, task, "escalate", "tasks_escalation", "tasks.escalation", days=stage - OVERDUE)
                task.escalated_at = now
            task.reminder_stage = stage
        task.next_reminder_at = stage_moment(task, max(stage, task.reminder_stage) + 1, ctx)
    return rows


# --- daily digest ------------------------------------------------------------------------------------

def _insert(session: AsyncSession):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def _claim_day(session: AsyncSession, key: str, value: str) -> bool:
    """Atomically mark a daily job done for today; False when another tick (or replica) already has."""
    stmt = _insert(session)(Setting).values(key=key, value=value).on_conflict_do_nothing(index_elements=["key"])
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
    soon = calendar.at_local(today + timedelta(days=4), time(0), ctx)
    rows = []
    for sec in secretaries:
        scope = await members.staff_unit_ids(session, sec)
        query = select(Task).where(
            Task.status.in_((*ACTIVE, REPORTED)),
            (Task.status == REPORTED) | (Task.deadline_at < soon))
        if scope is not None:
            query = query.where(Task.lead_unit_id.in_(scope))
        tasks = list((await session.execute(query.order_by(Task.deadline_at, Task.id))).scalars())
        if not tasks:
            continue
        vs = await views(session, ctx, tasks)
        overdue = [v for t, v in zip(tasks, vs) if t.status in ACTIVE and t.deadline_at <= now]
        due = [v for t, v in zip(tasks, vs) if t.status in ACTIVE and t.deadline_at > now]
        waiting = [v for t, v in zip(tasks, vs) if t.status == REPORTED]
        text = render(sec.language, "tasks_digest", day=today, due=due[:LIST_LIMIT], overdue=overdue[:LIST_LIMIT],
                      waiting=waiting[:LIST_LIMIT], counts=[len(due), len(overdue), len(waiting)])
        rows.append(outbox.row(ctx, key=f"taskdigest:{today.isoformat()}:m{sec.id}", chat_id=sec.chat_id,
                               member_id=sec.id, kind="tasks.digest", messages=[outbox.message(text)]))
    return await outbox.enqueue_many(session, rows)


# --- KPI figures -------------------------------------------------------------------------------------


# KPI figures live in their own module; re-exported so callers find every task rule here.
from storage.tasks_kpi import (OnTime, average_days_overdue, kpi_figures, on_time_rates,  # noqa: E402,F401
                               overdue_now, task_status)
