"""The responsibility list (责任清单): the owner's and the secretaries' actions on a task (progress, done,
confirm, return, cancel) and the /overdue view."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import audit, dialogs, members, outbox
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.tasks.models import ACTIVE, CANCELLED, DONE, IN_PROGRESS, REPORTED, Task, TaskNote
from storage.tasks.evidence import Evidence, check as check_evidence
from storage.tasks.jobs import drop_pending_reminders
from storage.tasks.views import actions_keyboard, load_names, supervisor_keyboard, supervisors, task_views, view

NOTE_MAX = 2000


# --- the owner ---------------------------------------------------------------------------------------

async def my_tasks(session: AsyncSession, ctx: Context, member: Member) -> list[Task]:
    """The owner's tasks still on their desk (and those waiting for confirmation), soonest deadline first."""
    return list((await session.execute(
        select(Task).where(Task.owner_id == member.id, Task.status.in_((*ACTIVE, REPORTED)))
        .order_by(Task.deadline_at, Task.id)
    )).scalars())


async def task_by_id(session: AsyncSession, task_id) -> Task:
    """The task a button or a command names; an id that is no number or no task is refused as not found."""
    try:
        task = await session.get(Task, int(task_id))
    except (TypeError, ValueError):
        task = None
    if task is None:
        raise Refused("tasks_not_found")
    return task


async def _owned(session: AsyncSession, member: Member, task_id) -> Task:
    task = await task_by_id(session, task_id)
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
    task = await task_by_id(session, task_id)
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
    return (await task_views(session, ctx, [task]))[0]


async def save_note(session: AsyncSession, ctx: Context, member: Member, kind: str, task_id,
                    text: str, evidence: Evidence | None = None) -> dict:
    """The typed note for `begin_note` (or a photo or document with the note as its caption); the state is
    re-checked, since it may have moved meanwhile."""
    text = (text or "").strip()
    evidence = check_evidence(evidence, kind, text)
    if not text:
        raise Refused("tasks_note_empty")
    if len(text) > NOTE_MAX:
        raise Refused("tasks_note_too_long", limit=NOTE_MAX)
    if kind == "progress":
        task = await add_progress(session, ctx, member, task_id, text, evidence)
    elif kind == "done":
        task = await report_done(session, ctx, member, task_id, text, evidence)
    elif kind == "return":
        task = await return_task(session, ctx, member, task_id, text)
    else:
        raise Refused("button_expired")
    await dialogs.clear(session, member.id)
    return (await task_views(session, ctx, [task]))[0]


async def _note(session: AsyncSession, ctx: Context, task: Task, member: Member, kind: str,
                text: str = "", evidence: Evidence | None = None) -> TaskNote:
    """A line in the task's history; its id names the event in outbox dedupe keys."""
    note = TaskNote(task_id=task.id, author_id=member.id, kind=kind, text=text, at=ctx.now())
    if evidence is not None:
        note.evidence_kind, note.evidence_file_id, note.evidence_name = evidence.kind, evidence.file_id, evidence.name
    session.add(note)
    await session.flush()
    return note


async def add_progress(session: AsyncSession, ctx: Context, member: Member, task_id, text: str,
                       evidence: Evidence | None = None) -> Task:
    task = await _owned(session, member, task_id)
    task.status, task.updated_at = IN_PROGRESS, ctx.now()
    await _note(session, ctx, task, member, "progress", text, evidence)
    return task


async def report_done(session: AsyncSession, ctx: Context, member: Member, task_id, text: str,
                      evidence: Evidence | None = None) -> Task:
    """The owner says it is done: reminders stop now, the lead unit's secretaries are asked to confirm."""
    task = await _owned(session, member, task_id)
    now = ctx.now()
    task.status, task.completion_note, task.reported_at, task.updated_at = REPORTED, text, now, now
    task.next_reminder_at = None
    note = await _note(session, ctx, task, member, "done", text, evidence)
    await drop_pending_reminders(session, task.id)
    names = await load_names(session, [task])
    rows = []
    for sec in await supervisors(session, task.lead_unit_id):
        if sec.chat_id is None or not sec.reachable:
            continue
        shown = view(task, names, now, ctx)
        body = render(sec.language, "tasks_report_to_secretary", task=shown, evidence=evidence)
        messages = [outbox.message(body, supervisor_keyboard(sec.language, task.id))]
        if evidence is not None:  # the file itself, right under the report, by Telegram's file id
            messages.append(outbox.attachment(evidence.kind, evidence.file_id, render(
                sec.language, "tasks_evidence_caption", task=shown, kind="done", name=evidence.name)))
        rows.append(outbox.row(ctx, key=f"task:{task.id}:reported:n{note.id}:m{sec.id}", chat_id=sec.chat_id,
                               member_id=sec.id, kind="tasks.reported", messages=messages))
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
    return (await task_views(session, ctx, [task]))[0]


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


async def cancel_task(session: AsyncSession, ctx: Context, member: Member, task_no: str, reason: str = "") -> dict:
    """A secretary of the lead unit (or an admin) takes a task off the list: reminders stop at once, even
    those already queued, and the owner is told why."""
    if not member.is_staff:
        raise Refused("not_allowed")
    task = (await session.execute(select(Task).where(Task.task_no == (task_no or "").strip()))).scalar_one_or_none()
    if task is None:
        raise Refused("tasks_not_found")
    if not await can_supervise(session, member, task):
        raise Refused("tasks_not_your_unit")
    if task.status not in (*ACTIVE, REPORTED):
        raise Refused("tasks_state_changed", status=task.status)
    if len(reason) > NOTE_MAX:
        raise Refused("tasks_note_too_long", limit=NOTE_MAX)
    task.status, task.next_reminder_at, task.updated_at = CANCELLED, None, ctx.now()
    await drop_pending_reminders(session, task.id)
    note = await _note(session, ctx, task, member, "cancel", reason)
    await _tell_owner(session, ctx, task, "cancelled", note, reason=reason, by=member.name)
    audit.record(session, ctx, "task.cancelled", "task", task.id, actor_id=member.id)
    return (await task_views(session, ctx, [task]))[0]


OWNER_NOTICES = {"confirmed": "tasks.confirmed", "returned": "tasks.returned", "cancelled": "tasks.cancelled"}


async def _tell_owner(session: AsyncSession, ctx: Context, task: Task, what: str, note: TaskNote,
                      **params) -> None:
    owner = await session.get(Member, task.owner_id)
    if owner is None:
        return
    names = await load_names(session, [task])
    text = render(owner.language, "tasks_owner_notice", what=what, task=view(task, names, ctx.now(), ctx),
                  **params)
    keyboard = actions_keyboard(owner.language, task)
    await outbox.to_member(session, ctx, owner, key=f"task:{task.id}:{what}:n{note.id}:m{owner.id}",
                           messages=[outbox.message(text, keyboard)], kind=OWNER_NOTICES[what])


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

