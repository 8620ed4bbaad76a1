"""Putting tasks on the list: the import of a whole sheet (checked first, then upserted by task_no), the
template sheet, and `create_task`, the seam /newtask and other features (reception, feedback) share."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import audit, calendar, exports, members, outbox, units
from storage.context import Context
from storage.errors import InvalidFile, Problem, Refused
from storage.models.org import Member, Unit
from storage.tasks.models import ACTIVE, OPEN, Task, TaskUnit
from storage.tabular import CHAT, Limits, Row, parse_datetime, read_table, split_list
from storage.tasks.jobs import drop_pending_reminders
from storage.tasks.schedule import deadline_moment, reschedule, stamp
from storage.tasks.views import load_names, owner_keyboard, view

COLUMNS = {
    "task_no": ("任务编号", "编号", "序号", "task no"),
    "title": ("任务", "任务名称", "任务内容", "task"),
    "lead_department": ("主责部门", "牵头部门", "lead department", "lead unit"),
    "cooperating_departments": ("配合部门", "协同部门", "cooperating departments"),
    "owner_employee_no": ("责任人工号", "具体责任人工号", "owner employee no", "owner"),
    "deadline": ("完成时限", "截止日期", "截止时间", "时限"),
    "description": ("说明", "备注", "任务说明"),
    # The owner by name (or number) when the sheet has no employee-number column: a unique name is enough.
    "owner": ("责任人", "具体责任人", "责任人姓名", "owner name"),
}
REQUIRED = ("task_no", "title", "lead_department", "owner_employee_no", "deadline")
REQUIRED_BY_NAME = ("task_no", "title", "lead_department", "owner", "deadline")
TEMPLATE_HEADERS = {
    "zh": ("任务编号", "任务", "主责部门", "配合部门", "责任人工号", "完成时限", "说明"),
    "en": ("task_no", "title", "lead_department", "cooperating_departments", "owner_employee_no", "deadline",
           "description"),
}


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


class UnitIndex:
    """Units as a sheet names them: by path (`Plant2/Office`), or by a bare name only one unit has.
    A department wins over a branch of the same path."""

    def __init__(self, rows):
        self.paths: dict[str, int] = {}
        self.by_id: dict[int, str] = {}
        named: dict[str, dict[str, int]] = {}
        for uid, kind, name, path in sorted(rows, key=lambda r: (r[1] != "department", r[0])):
            self.by_id[uid] = path
            self.paths.setdefault(path, uid)
            named.setdefault(name, {}).setdefault(path, uid)
        self.named = named

    def find(self, text: str) -> tuple[int | None, Problem | None]:
        """(unit id, None), (None, unit_ambiguous problem params) or (None, None) when unknown."""
        parts = units.split_path(text)
        if len(parts) != 1:
            return self.paths.get("/".join(parts)), None
        candidates = self.named.get(parts[0], {})
        if len(candidates) > 1:
            return None, Problem(None, "unit_ambiguous", {"value": text, "candidates": sorted(candidates)})
        return next(iter(candidates.values()), None), None

    def get(self, text: str) -> int | None:
        """The unit's id, None when unknown; an ambiguous bare name is refused naming the candidates."""
        uid, ambiguous = self.find(text)
        if ambiguous is not None:
            raise Refused("unit_ambiguous", name=text, candidates=ambiguous.params["candidates"])
        return uid


async def unit_index(session: AsyncSession) -> UnitIndex:
    return UnitIndex((await session.execute(select(Unit.id, Unit.kind, Unit.name, Unit.path))).all())


def read(data: bytes, filename: str, limits: Limits = CHAT) -> list[Row]:
    """The sheet's rows, touching no database (run it off the event loop, outside a transaction).

    A sheet naming owners in a 责任人 column (names or numbers) instead of 责任人工号 is read too."""
    try:
        return read_table(data, filename, COLUMNS, REQUIRED, limits)
    except InvalidFile as exc:
        if [p.code for p in exc.problems] != ["file_headers"]:
            raise
        try:
            return read_table(data, filename, COLUMNS, REQUIRED_BY_NAME, limits)
        except InvalidFile:
            raise exc from None


async def check(session: AsyncSession, rows: list[Row], scope: set[int] | None = None) -> list[TaskEntry]:
    """Every row checked against the organisation; any problem rejects the whole file (InvalidFile).

    `scope` is the units a secretary answers for (None: all, for admins and the CLI): a secretary may put
    tasks on the list, or change them, only where their unit leads, as with /newtask.
    """
    index = await unit_index(session)
    held = {}
    if scope is not None:
        numbers = [r.text("task_no") for r in rows if r.text("task_no")]
        held = dict((await session.execute(
            select(Task.task_no, Task.lead_unit_id).where(Task.task_no.in_(numbers)))).all()) if numbers else {}
    by_name = {r.text("owner") for r in rows if not r.text("owner_employee_no") and r.text("owner")}
    wanted = {r.text("owner_employee_no") for r in rows if r.text("owner_employee_no")} | by_name
    owners = dict((await session.execute(
        select(Member.employee_no, Member.id).where(Member.employee_no.in_(wanted), Member.active.is_(True))
    )).all()) if wanted else {}
    named = await _members_named(session, by_name)
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
        lead_id = None
        if not lead:
            problems.append(Problem(n, "missing", {"column": "lead_department"}))
        else:
            lead_id = _unit(index, lead, n, problems)
        coops: list[int] = []
        for name in split_list(row.text("cooperating_departments")):
            uid = _unit(index, name, n, problems)
            if uid is not None and uid not in coops and uid != lead_id:
                coops.append(uid)
        owner_no, owner_id = row.text("owner_employee_no"), None
        if not owner_no and row.text("owner"):
            owner_id = _owner_by_name(row.text("owner"), owners, named, n, problems)
        elif not owner_no:
            problems.append(Problem(n, "missing", {"column": "owner_employee_no"}))
        elif owner_no not in owners:
            problems.append(Problem(n, "unknown_member", {"value": owner_no}))
        else:
            owner_id = owners[owner_no]
        raw_deadline = row.values.get("deadline")
        parsed = parse_datetime(raw_deadline) if row.text("deadline") else None
        if not row.text("deadline"):
            problems.append(Problem(n, "missing", {"column": "deadline"}))
        elif parsed is None:
            problems.append(Problem(n, "bad_date", {"column": "deadline", "value": row.text("deadline")}))
        if scope is not None and task_no:
            for uid in (lead_id, held.get(task_no)):
                if uid is not None and uid not in scope:
                    problems.append(Problem(n, "tasks_not_your_unit",
                                            {"task_no": task_no, "value": index.by_id.get(uid, "")}))
                    break
        if len(problems) == before:
            entries.append(TaskEntry(n, task_no, title, lead_id, coops, owner_id, parsed[0],
                                     parsed[1], row.text("description")))
    if problems:
        raise InvalidFile(problems)
    return entries


async def _members_named(session: AsyncSession, names: set[str]) -> dict[str, list[tuple[int, str, str]]]:
    """Active members by name: (id, employee number, unit) for each, in employee-number order."""
    if not names:
        return {}
    found: dict[str, list[tuple[int, str, str]]] = {}
    rows = (await session.execute(
        select(Member.name, Member.id, Member.employee_no, Unit.path).outerjoin(Unit, Unit.id == Member.unit_id)
        .where(Member.name.in_(names), Member.active.is_(True)).order_by(Member.employee_no))).all()
    for name, member_id, number, unit in rows:
        found.setdefault(name, []).append((member_id, number, unit or ""))
    return found


def _owner_by_name(text: str, owners: dict[str, int], named: dict, row: int, problems: list[Problem]) -> int | None:
    """A 责任人 cell: an employee number, or a name only one active member has (else the candidates)."""
    if text in owners:
        return owners[text]
    candidates = named.get(text, [])
    if len(candidates) == 1:
        return candidates[0][0]
    if candidates:
        problems.append(Problem(row, "owner_ambiguous", {"value": text, "candidates": [
            {"name": text, "unit": unit, "no": number} for _, number, unit in candidates]}))
    else:
        problems.append(Problem(row, "unknown_member_name", {"value": text}))
    return None


def _unit(index: UnitIndex, text: str, row: int, problems: list[Problem]) -> int | None:
    uid, ambiguous = index.find(text)
    if ambiguous is not None:
        problems.append(Problem(row, ambiguous.code, ambiguous.params))
    elif uid is None:
        problems.append(Problem(row, "unknown_unit", {"value": text}))
    return uid


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
        if task.id is not None and (changed_deadline or new_owner):
            await drop_pending_reminders(session, task.id)  # queued for the old deadline or owner: now wrong
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


async def import_rows(session: AsyncSession, ctx: Context, rows: list[Row], actor_id: int | None = None,
                      member: Member | None = None) -> ImportResult:
    """The sheet's rows (from `read`), checked then applied; `member` (the secretary sending it in chat)
    limits the units."""
    if member is not None and not member.is_staff:
        raise Refused("not_allowed")
    scope = await members.staff_unit_ids(session, member) if member is not None else None
    entries = await check(session, rows, scope)
    return await apply(session, ctx, entries, member.id if member is not None else actor_id)


def template_filename(lang: str) -> str:
    return render(lang, "tasks_template_filename")


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
        rows.append(outbox.row(ctx, key=f"task:{task.id}:{what}:{stamp(task.deadline_at)}:m{owner.id}",
                               chat_id=owner.chat_id, member_id=owner.id, kind="tasks.assigned",
                               messages=[outbox.message(text, owner_keyboard(owner.language, task.id))]))
    await outbox.enqueue_many(session, rows)


def template_xlsx(lang: str) -> bytes:
    """The import template: the headers and one example row."""
    wb = exports.XlsxWriter()
    ws = wb.sheet("责任清单" if lang == "zh" else "tasks")
    ws.append(list(TEMPLATE_HEADERS.get(lang, TEMPLATE_HEADERS["zh"])))
    ws.append(["2026-001", render(lang, "tasks_template_example", field="title"),
               render(lang, "tasks_template_example", field="lead"),
               render(lang, "tasks_template_example", field="coops"), "1001", date(2026, 12, 31),
               render(lang, "tasks_template_example", field="description")])
    ws.number_format(2, 6, "yyyy-mm-dd")
    ws.widths(dict(zip("ABCDEFG", (12, 30, 14, 20, 12, 14, 30))))
    return wb.to_bytes()


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
