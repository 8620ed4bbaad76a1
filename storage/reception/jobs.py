"""What reception days send: waitlist offers, reminders to members (the day before and one hour before), the
agenda to the leader and secretaries (the evening before and whenever it changes afterwards), and the
outcome sheet to the secretaries once the day is over. All of it goes through the outbox with keys that
name the object and the stage, so a restart or a second replica neither loses nor repeats a message.
"""
from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from messages.buttons import reception as rcp_buttons
from messages import render
from storage import calendar, members, outbox, producers
from storage.context import Context
from storage.models.org import Member
from storage.reception.models import BOOKED, OFFERED, OPEN, Booking, ReceptionDay, ReceptionSeries, ReceptionSlot
from storage.reception.rules import generate, holders, leader_name, staff_for_day

REMIND_AT = time(9, 0)  # the member's reminder, the day before
AGENDA_AT = time(18, 0)  # the agenda, the evening before
HOUR = timedelta(hours=1)


def label(lang: str, which: str, **params) -> str:
    return render(lang, "reception_button", which=which, **params)


def slot_params(ctx: Context, slot: ReceptionSlot, day: ReceptionDay, leader: str) -> dict:
    return {"leader": leader, "day": day.day, "starts": calendar.local(slot.starts_at, ctx),
            "ends": calendar.local(slot.ends_at, ctx), "place": day.place}


async def send(session: AsyncSession, ctx: Context, member: Member, key: str, template: str,
               keyboard=None, *, row_kind: str = "reception.notice", **params) -> bool:
    """One message to one member through the outbox, held until the quiet hours end. `row_kind` picks the
    lane: a notice (an offer, an outcome) goes before the tick's reminders, agendas and sheets."""
    text = render(member.language, template, **params)
    return await outbox.to_member(session, ctx, member, key=key, messages=[outbox.message(text, keyboard)],
                                  kind=row_kind, not_before=calendar.after_quiet(ctx.now(), ctx))


def offer_key(booking_id: int) -> str:
    """The outbox key of a waitlist offer: the hold counts from when this row was sent."""
    return f"reception:bkg:{booking_id}:offer"


async def offer(session: AsyncSession, ctx: Context, booking: Booking, slot: ReceptionSlot,
                day: ReceptionDay) -> None:
    member = await session.get(Member, booking.member_id)
    keyboard = [[rcp_buttons.booking(label(member.language, "confirm"), booking.id, rcp_buttons.CONFIRM),
                 rcp_buttons.booking(label(member.language, "decline"), booking.id, rcp_buttons.DECLINE)]]
    await send(session, ctx, member, offer_key(booking.id), "reception_offer", keyboard,
               topic=booking.topic, expires=calendar.local(booking.offer_expires_at, ctx),
               **slot_params(ctx, slot, day, await leader_name(session, day)))


async def lapsed(session: AsyncSession, ctx: Context, booking: Booking, slot: ReceptionSlot,
                 day: ReceptionDay) -> None:
    member = await session.get(Member, booking.member_id)
    await send(session, ctx, member, f"reception:bkg:{booking.id}:lapsed", "reception_offer_lapsed",
               **slot_params(ctx, slot, day, await leader_name(session, day)))


async def waitlist_closed(session: AsyncSession, ctx: Context, booking: Booking, slot: ReceptionSlot,
                          day: ReceptionDay) -> None:
    member = await session.get(Member, booking.member_id)
    await send(session, ctx, member, f"reception:bkg:{booking.id}:closed", "reception_waitlist_closed",
               topic=booking.topic, **slot_params(ctx, slot, day, await leader_name(session, day)))


async def series_shifted(session: AsyncSession, ctx: Context, series, shifts: list) -> None:
    """The creator of a recurring day is told which dates moved off a non-working day or were skipped."""
    creator = await session.get(Member, series.created_by) if series.created_by is not None else None
    if creator is None:
        return
    leader = await session.get(Member, series.leader_id)
    for planned, moved in shifts:
        await send(session, ctx, creator, f"reception:series:{series.id}:shift:{planned.isoformat()}",
                   "reception_series_shifted", leader=leader.name if leader else "", place=series.place,
                   shifts=[(planned, moved)])


@producers.producer("reception.reminders")
async def produce_reminders(session: AsyncSession, ctx: Context) -> int:
    """The day-before reminder from 09:00 the day before; the one-hour reminder an hour before (it replaces
    the day-before one when that was never sent, so a late tick does not send both)."""
    now = ctx.now()
    rows = (await session.execute(
        select(Booking, ReceptionSlot, ReceptionDay)
        .join(ReceptionSlot, ReceptionSlot.id == Booking.slot_id)
        .join(ReceptionDay, ReceptionDay.id == Booking.day_id)
        .where(Booking.status == BOOKED, ReceptionDay.status == OPEN, ReceptionSlot.starts_at > now,
               ReceptionSlot.starts_at <= now + timedelta(days=2),
               or_(Booking.reminded_day.is_(False), Booking.reminded_hour.is_(False)))
        .order_by(Booking.id)
    )).all()
    count = 0
    for booking, slot, day in rows:
        hour_due = now >= slot.starts_at - HOUR
        day_due = now >= calendar.at_local(day.day - timedelta(days=1), REMIND_AT, ctx)
        stage = "hour" if hour_due and not booking.reminded_hour else (
            "day" if day_due and not booking.reminded_day and not hour_due else None)
        if stage is None:
            continue
        member = await session.get(Member, booking.member_id)
        count += await send(session, ctx, member, f"reception:bkg:{booking.id}:remind:{stage}",
                            f"reception_reminder_{stage}", row_kind="reception.reminder", topic=booking.topic,
                            **slot_params(ctx, slot, day, await leader_name(session, day)))
        booking.reminded_day = True
        booking.reminded_hour = booking.reminded_hour or stage == "hour"
    return count


async def agenda_items(session: AsyncSession, ctx: Context, day_id: int) -> list[dict]:
    return [{"starts": calendar.local(slot.starts_at, ctx), "ends": calendar.local(slot.ends_at, ctx),
             "name": member.name, "topic": booking.topic, "pending": booking.status == OFFERED}
            for slot, booking, member in await holders(session, day_id)]


async def _staff_or_admins(session: AsyncSession, day: ReceptionDay) -> list[Member]:
    """The day's secretaries who can be reached in the chat; the admins when there are none."""
    staff = [m for m in await staff_for_day(session, day) if m.chat_id is not None and m.reachable]
    return staff or await members.admins(session)


@producers.producer("reception.agenda")
async def produce_agenda(session: AsyncSession, ctx: Context) -> int:
    """The day's agenda to the leader and secretaries from 18:00 the evening before; after that, again
    whenever a booking changes (held over the quiet hours, so a night of changes makes one message)."""
    now = ctx.now()
    days = (await session.execute(
        select(ReceptionDay).where(ReceptionDay.status == OPEN, ReceptionDay.ends_at > now,
                                   ReceptionDay.starts_at <= now + timedelta(days=2),
                                   or_(ReceptionDay.agenda_sent_version.is_(None),
                                       ReceptionDay.agenda_sent_version != ReceptionDay.agenda_version))
        .order_by(ReceptionDay.id)
    )).scalars().all()
    count = 0
    for day in days:
        if now < calendar.at_local(day.day - timedelta(days=1), AGENDA_AT, ctx):
            continue
        update_ = day.agenda_sent_version is not None
        if update_ and calendar.is_quiet(now, ctx):
            continue
        version = day.agenda_version
        items = await agenda_items(session, ctx, day.id)
        leader = await session.get(Member, day.leader_id)
        recipients = {m.id: m for m in [leader, *await _staff_or_admins(session, day)] if m is not None}
        for m in recipients.values():
            count += await send(session, ctx, m, f"reception:day:{day.id}:agenda:{version}:{m.id}", "reception_agenda",
                                row_kind="reception.agenda", leader=leader.name if leader else "", day=day.day,
                                place=day.place,
                                starts=calendar.local(day.starts_at, ctx), ends=calendar.local(day.ends_at, ctx),
                                items=items, updated=update_)
        await session.execute(update(ReceptionDay).where(ReceptionDay.id == day.id)
                              .values(agenda_sent_version=version).execution_options(synchronize_session=False))
    return count


@producers.producer("reception.outcome_sheet")
async def produce_outcome_sheets(session: AsyncSession, ctx: Context) -> int:
    """When a day is over, its secretaries get one message listing the meetings with buttons to record what
    was decided: resolved on the spot, turned into a task, or the member did not come."""
    now = ctx.now()
    days = (await session.execute(
        select(ReceptionDay).where(ReceptionDay.status == OPEN, ReceptionDay.outcome_sheet_sent.is_(False),
                                   ReceptionDay.ends_at <= now, ReceptionDay.ends_at > now - timedelta(days=14))
        .order_by(ReceptionDay.id)
    )).scalars().all()
    count = 0
    for day in days:
        day.outcome_sheet_sent = True
        booked = [(s, b, m) for s, b, m in await holders(session, day.id) if b.status == BOOKED]
        if not booked:
            continue
        leader = await leader_name(session, day)
        items = [{"n": i, "starts": calendar.local(s.starts_at, ctx), "name": m.name, "topic": b.topic,
                  "outcome": b.outcome} for i, (s, b, m) in enumerate(booked, 1)]
        for staff in await _staff_or_admins(session, day):
            lang = staff.language
            keyboard = [[rcp_buttons.wizard(label(lang, "resolved", n=i), b.id, rcp_buttons.RESOLVED),
                         rcp_buttons.wizard(label(lang, "task", n=i), b.id, rcp_buttons.TASK),
                         rcp_buttons.wizard(label(lang, "absent", n=i), b.id, rcp_buttons.ABSENT)]
                        for i, (s, b, m) in enumerate(booked, 1)]
            count += await send(session, ctx, staff, f"reception:day:{day.id}:sheet:{staff.id}",
                                "reception_outcome_sheet", keyboard, row_kind="reception.sheet", leader=leader,
                                day=day.day, place=day.place, items=items)
    return count


@producers.producer("reception.series")
async def produce_series(session: AsyncSession, ctx: Context) -> int:
    series = (await session.execute(select(ReceptionSeries).where(ReceptionSeries.active.is_(True)))).scalars().all()
    made = 0
    for s in series:
        shifts: list[tuple[date, date | None]] = []
        made += len(await generate(session, ctx, s, shifts))
        if shifts:
            await series_shifted(session, ctx, s, shifts)
    return made
