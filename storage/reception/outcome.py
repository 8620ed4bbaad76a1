"""After a meeting: a secretary records what became of the matter (resolved on the spot, turned into a task on
the responsibility list, or the member did not come) and the member is told what was decided."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from messages import plain
from storage import audit, calendar, dialogs, members, tasks, units
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member, Unit
from storage.reception.models import ABSENT, BOOKED, RESOLVED, TASK, Booking, ReceptionDay, ReceptionSlot
from storage.reception.rules import leader_name, may_manage, parse_date
from storage.reception.booking import slot_and_day
from storage.reception.jobs import send, slot_params

NOTE_MAX = 1000


@dataclass
class Target:
    booking: Booking
    slot: ReceptionSlot
    day: ReceptionDay
    member: Member  # who raised the matter

    def params(self, ctx: Context) -> dict:
        return {"name": self.member.name, "topic": self.booking.topic,
                "starts": calendar.local(self.slot.starts_at, ctx), "day": self.day.day}


async def target(session: AsyncSession, ctx: Context, staff: Member, booking_id: int) -> Target:
    """The booking a secretary wants to record an outcome for, if they look after that day and the meeting
    has begun and has no outcome yet."""
    booking = await session.get(Booking, booking_id)
    if booking is None:
        raise Refused("reception_gone")
    slot, day = await slot_and_day(session, booking.slot_id)
    if not await may_manage(session, staff, day):
        raise Refused("not_allowed")
    if booking.status != BOOKED:
        raise Refused("reception_outcome_not_booked")
    if ctx.now() < slot.starts_at:
        raise Refused("reception_outcome_too_early", starts=calendar.local(slot.starts_at, ctx))
    if booking.outcome is not None:
        raise Refused("reception_outcome_already")
    return Target(booking, slot, day, await session.get(Member, booking.member_id))


def clean_note(text: str | None) -> str:
    note = (text or "").strip()
    if not note:
        raise Refused("reception_note_required")
    if len(note) > NOTE_MAX:
        raise Refused("reception_note_too_long", limit=NOTE_MAX, length=len(note))
    return note


def _settle(t: Target, ctx: Context, staff: Member, outcome: str, attended: bool, note: str | None) -> None:
    t.booking.outcome, t.booking.attended, t.booking.outcome_note = outcome, attended, note
    t.booking.outcome_by, t.booking.outcome_at = staff.id, ctx.now()


async def record_resolved(session: AsyncSession, ctx: Context, staff: Member, booking_id: int, note: str) -> Target:
    t = await target(session, ctx, staff, booking_id)
    note = clean_note(note)
    _settle(t, ctx, staff, RESOLVED, True, note)
    await send(session, ctx, t.member, f"reception:bkg:{t.booking.id}:outcome", "reception_outcome_told",
               outcome=RESOLVED, note=note, task=None, topic=t.booking.topic,
               **slot_params(ctx, t.slot, t.day, await leader_name(session, t.day)))
    audit.record(session, ctx, "reception.resolved", "reception_booking", t.booking.id, actor_id=staff.id)
    return t


async def record_absent(session: AsyncSession, ctx: Context, staff: Member, booking_id: int) -> Target:
    t = await target(session, ctx, staff, booking_id)
    _settle(t, ctx, staff, ABSENT, False, None)
    audit.record(session, ctx, "reception.absent", "reception_booking", t.booking.id, actor_id=staff.id)
    return t


@dataclass
class TaskOrder:
    owner: Member
    unit: Unit
    due: date  # the deadline, a date: the responsibility list lets it pass at the end of that day


async def parse_task_order(session: AsyncSession, ctx: Context, text: str) -> TaskOrder:
    """`OWNER_EMPLOYEE_NO LEAD_UNIT DEADLINE`, as a secretary types it (commas work too)."""
    parts = (text or "").replace("，", " ").replace(",", " ").split()
    if len(parts) != 3:
        raise Refused("reception_task_format", value=text or "")
    owner = await members.by_employee_no(session, parts[0])
    if owner is None or not owner.active:
        raise Refused("reception_task_unknown_owner", value=parts[0])
    unit = await units.find_any(session, parts[1])
    if unit is None:
        raise Refused("reception_task_unknown_unit", value=parts[1])
    due = parse_date(parts[2])
    if due < ctx.local_now().date():
        raise Refused("reception_task_deadline_past", day=due)
    return TaskOrder(owner, unit, due)


async def record_task(session: AsyncSession, ctx: Context, staff: Member, booking_id: int,
                      text: str) -> tuple[Target, dict]:
    """Turn the matter into a task on the responsibility list, with one owner, a lead unit and a deadline."""
    t = await target(session, ctx, staff, booking_id)
    order = await parse_task_order(session, ctx, text)
    # Stored as data (the task's templates escape it when shown), so rendered as plain text.
    title = plain("zh", "reception_task_title", topic=t.booking.topic)[:500]
    description = plain("zh", "reception_task_description", name=t.member.name, topic=t.booking.topic,
                         day=t.day.day, starts=calendar.local(t.slot.starts_at, ctx))
    task = await tasks.create_task(session, ctx, title=title, lead_unit_id=order.unit.id, owner_id=order.owner.id,
                             deadline=order.due, description=description, source=f"reception:{t.booking.id}",
                             actor_id=staff.id)
    _settle(t, ctx, staff, TASK, True, None)
    t.booking.task_id = task.id
    info = {"no": getattr(task, "task_no", task.id), "owner": order.owner.name, "unit": order.unit.name,
            "due": order.due}
    await send(session, ctx, t.member, f"reception:bkg:{t.booking.id}:outcome", "reception_outcome_told",
               outcome=TASK, note=None, task=info, topic=t.booking.topic,
               **slot_params(ctx, t.slot, t.day, await leader_name(session, t.day)))
    audit.record(session, ctx, "reception.task", "reception_booking", t.booking.id, actor_id=staff.id,
                 task_id=task.id)
    return t, info


# Refusals the secretary mends by typing again; any other (another secretary recorded it first, the role was
# taken away) ends the flow.
RETYPE = ("reception_note_required", "reception_note_too_long", "reception_task_format",
          "reception_task_unknown_owner", "reception_task_unknown_unit", "reception_task_deadline_past",
          "reception_bad_date")


async def record_typed(session: AsyncSession, ctx: Context, staff: Member, booking_id: int, step: str,
                       text: str | None) -> tuple[Target, dict | None] | Refused:
    """What a secretary typed in the outcome flow: the note (`step` "note": resolved on the spot) or the task
    order. Ends the flow when recorded, and when refused for a reason typing again cannot mend (then nothing
    of the attempt is kept and the refusal is returned for the reply)."""
    try:
        async with session.begin_nested():
            if step == "note":
                recorded = (await record_resolved(session, ctx, staff, booking_id, text), None)
            else:
                recorded = await record_task(session, ctx, staff, booking_id, text)
    except Refused as refused:
        if refused.template in RETYPE:
            raise
        await dialogs.clear(session, staff.id)
        return refused
    await dialogs.clear(session, staff.id)
    return recorded
