"""/newtask: a secretary creates one task step by step (title, lead unit, owner, deadline, cooperating
units, confirm). The answers so far live in the dialog row, so the flow survives a restart."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from storage import calendar, dialogs, members, picker
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.tabular import parse_datetime, split_list
from storage.tasks.files import create_task, unit_index
from storage.tasks.schedule import deadline_moment
from storage.tasks.views import task_views

NEW_DIALOG = "tasks.new"
NEW_STEPS = ("title", "lead", "owner", "deadline", "coops", "confirm")
NONE_WORDS = {"-", "—", "无", "没有", "none", "no", "0"}


async def begin_new(session: AsyncSession, ctx: Context, member: Member) -> None:
    if not member.is_staff:
        raise Refused("not_allowed")
    await dialogs.start(session, ctx, member.id, NEW_DIALOG, "title", {})


async def step_keyboard(session: AsyncSession, member: Member, step: str) -> list[list[dict]] | None:
    """The units as buttons when the step asks for one (the lead unit: those the secretary answers for)."""
    if step == "lead":
        return await picker.unit_keyboard(session, member.language, step, "department",
                                          await members.staff_unit_ids(session, member))
    if step == "coops":
        return await picker.unit_keyboard(session, member.language, step, "department", none=True)
    return None


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
        unit_id = (await unit_index(session)).get(text)
        if unit_id is None:
            raise Refused("tasks_new_unknown_unit", name=text)
        scope = await members.staff_unit_ids(session, member)
        if scope is not None and unit_id not in scope:
            raise Refused("tasks_not_your_unit")
        data = {"lead_unit_id": unit_id, "lead": text}
    elif step == "owner":
        owner = await picker.resolve_member(session, member.language, text, step)
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
        index, ids, shown = await unit_index(session), [], []
        if text.lower() not in NONE_WORDS:
            for name in split_list(text):
                uid = index.get(name)
                if uid is None:
                    raise Refused("tasks_new_unknown_unit", name=name)
                if uid not in ids and uid != dialog.data.get("lead_unit_id"):
                    ids.append(uid)
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
    return (await task_views(session, ctx, [task]))[0]
