"""Booking a reception slot, the waitlist, cancelling, and the 2-hour hold a freed place is offered with.

Capacity is the database's job: a booking takes a place with `UPDATE reception_slots SET booked = booked + 1
WHERE id = :slot AND booked < capacity` and looks at the row count (a check constraint backs it up), so
two members racing for the last place cannot both get it, on any number of replicas. A place that frees
while people wait is handed to the first in line (still counted as taken), so nobody jumps the queue.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audiences, audit, calendar, dialogs, producers, tasks
from storage.reception import jobs
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.models.outbox import DEAD, Outbox
from storage.reception.models import (ACTIVE, BOOKED, CANCELLED, DECLINED, HOLDING, LAPSED, OFFERED, OPEN, WAITING,
                                      Booking, ReceptionDay, ReceptionSlot)
from storage.reception.rules import clean_topic, last_booking_day, notice_open

OFFER_HOLD = timedelta(hours=2)
STALE = timedelta(days=1)


async def slot_and_day(session: AsyncSession, slot_id: int) -> tuple[ReceptionSlot, ReceptionDay]:
    slot = await session.get(ReceptionSlot, slot_id)
    day = await session.get(ReceptionDay, slot.day_id) if slot is not None else None
    if slot is None or day is None:
        raise Refused("reception_gone")
    return slot, day


async def active_booking(session: AsyncSession, day_id: int, member_id: int) -> Booking | None:
    return (await session.execute(
        select(Booking).where(Booking.day_id == day_id, Booking.member_id == member_id, Booking.status.in_(ACTIVE))
    )).scalars().first()


async def check_bookable(session: AsyncSession, ctx: Context, member: Member,
                         slot_id: int) -> tuple[ReceptionSlot, ReceptionDay]:
    """Whether this member may book this slot now; the reason as a refusal when not.

    Every press is checked again here: callback data can be forged for any slot id.
    """
    slot, day = await slot_and_day(session, slot_id)
    if day.status != OPEN or slot.starts_at <= ctx.now():
        raise Refused("reception_closed")
    if day.leader_id == member.id:
        raise Refused("reception_own_day_refused", day=day.day)
    if not await audiences.includes(session, day.audience, member):
        raise Refused("reception_not_for_you")
    if not notice_open(ctx, day):
        raise Refused("reception_notice", days=day.notice_days, last=last_booking_day(day.day, day.notice_days, ctx))
    mine = await active_booking(session, day.id, member.id)
    if mine is not None:
        raise Refused("reception_one_per_day", day=day.day)
    return slot, day


@dataclass
class Choice:
    slot: ReceptionSlot
    day: ReceptionDay
    full: bool


async def choose(session: AsyncSession, ctx: Context, member: Member, slot_id: int) -> Choice:
    """A member picked a slot: may they, and is there still room (else the waitlist is offered)?"""
    slot, day = await check_bookable(session, ctx, member, slot_id)
    return Choice(slot, day, slot.booked >= slot.capacity)


@dataclass
class BookResult:
    slot: ReceptionSlot
    day: ReceptionDay
    booking: Booking | None  # None: the slot was full and the member did not ask for the waitlist
    position: int = 0  # place in the waitlist when the booking is WAITING

    @property
    def full(self) -> bool:
        return self.booking is None


async def book(session: AsyncSession, ctx: Context, member: Member, slot_id: int, topic: str, *,
               waitlist: bool = False) -> BookResult:
    """Take a place on the slot, or (when it is full and `waitlist`) join its waitlist."""
    topic = clean_topic(topic)
    slot, day = await check_bookable(session, ctx, member, slot_id)
    taken = await session.execute(
        update(ReceptionSlot).where(ReceptionSlot.id == slot.id, ReceptionSlot.booked < ReceptionSlot.capacity)
        .values(booked=ReceptionSlot.booked + 1).execution_options(synchronize_session=False))
    now = ctx.now()
    if taken.rowcount == 1:
        booking = Booking(day_id=day.id, slot_id=slot.id, member_id=member.id, topic=topic, status=BOOKED,
                          created_at=now, booked_at=now, reminded_day=False, reminded_hour=False)
    elif waitlist:
        booking = Booking(day_id=day.id, slot_id=slot.id, member_id=member.id, topic=topic, status=WAITING,
                          created_at=now, reminded_day=False, reminded_hour=False)
    else:
        return BookResult(slot, day, None)
    try:
        async with session.begin_nested():
            session.add(booking)
    except IntegrityError:
        # The same member booked this day in a concurrent update (a double press): the index said no.
        raise Refused("reception_one_per_day", day=day.day) from None
    await changed(session, day.id)
    await session.refresh(slot)
    audit.record(session, ctx, f"reception.{booking.status}", "reception_booking", booking.id, actor_id=member.id)
    position = await waiting_position(session, booking) if booking.status == WAITING else 0
    return BookResult(slot, day, booking, position)


# Refusals the member mends by typing the topic again; any other ends the booking flow.
RETYPE = ("reception_topic_required", "reception_topic_too_long")


async def book_typed(session: AsyncSession, ctx: Context, member: Member, slot_id: int, topic: str | None, *,
                     waitlist: bool) -> BookResult | Refused:
    """The topic typed in the booking flow. When the booking is refused for a reason typing cannot mend (the
    notice period began, the member booked elsewhere that day, the slot is gone), the flow ends so the member
    is not stuck in it, and nothing of the attempt is kept: the refusal is returned for the reply."""
    try:
        async with session.begin_nested():
            return await book(session, ctx, member, slot_id, topic, waitlist=waitlist)
    except Refused as refused:
        if refused.template in RETYPE:
            raise
        await dialogs.clear(session, member.id)
        return refused


async def waiting_position(session: AsyncSession, booking: Booking) -> int:
    return (await session.execute(
        select(func.count()).where(Booking.slot_id == booking.slot_id, Booking.status == WAITING,
                                   Booking.id <= booking.id)
    )).scalar_one()


async def changed(session: AsyncSession, day_id: int) -> None:
    """The day's agenda changed: the agenda producer sends it again (after it first went out)."""
    await session.execute(update(ReceptionDay).where(ReceptionDay.id == day_id)
                          .values(agenda_version=ReceptionDay.agenda_version + 1)
                          .execution_options(synchronize_session=False))


async def _own(session: AsyncSession, member: Member, booking_id: int) -> tuple[Booking, ReceptionSlot, ReceptionDay]:
    booking = await session.get(Booking, booking_id)
    if booking is None or booking.member_id != member.id:
        raise Refused("reception_booking_gone")
    slot, day = await slot_and_day(session, booking.slot_id)
    return booking, slot, day


async def _move(session: AsyncSession, booking: Booking, from_status: str, **values) -> bool:
    """Change a booking's state only if it is still in `from_status` (a concurrent change wins once)."""
    result = await session.execute(update(Booking).where(Booking.id == booking.id, Booking.status == from_status)
                                   .values(**values).execution_options(synchronize_session=False))
    if result.rowcount == 1:
        await session.refresh(booking)
        return True
    return False


async def cancel(session: AsyncSession, ctx: Context, member: Member, booking_id: int) -> Booking:
    """A member cancels a booking (until the day before) or leaves the waitlist (any time)."""
    booking, slot, day = await _own(session, member, booking_id)
    if booking.status not in ACTIVE:
        raise Refused("reception_booking_gone")
    was = booking.status
    if was in HOLDING and ctx.local_now().date() >= day.day:
        raise Refused("reception_cancel_too_late", day=day.day)
    if not await _move(session, booking, was, status=CANCELLED, ended_at=ctx.now()):
        raise Refused("reception_booking_gone")
    if was in HOLDING:
        await release(session, ctx, slot, day)
    await changed(session, day.id)
    audit.record(session, ctx, "reception.cancelled", "reception_booking", booking.id, actor_id=member.id)
    return booking


async def hold_until(session: AsyncSession, ctx: Context, booking: Booking, slot: ReceptionSlot) -> datetime | None:
    """When an offer's hold ends: its full hold counted from when the offer reached the member (never
    earlier than the time it named), or None while the offer waits in the outbox (the hold has not begun).
    An offer that could not be queued or delivered (member unreachable) keeps the time it was given."""
    sent = (await session.execute(
        select(Outbox.status, Outbox.sent_at).where(Outbox.dedupe_key == jobs.offer_key(booking.id))
    )).first()
    if sent is None or sent.status == DEAD:
        return booking.offer_expires_at
    if sent.sent_at is None:
        return None if ctx.now() < slot.starts_at else slot.starts_at
    return max(booking.offer_expires_at, min(calendar.awake_after(sent.sent_at, OFFER_HOLD, ctx), slot.starts_at))


async def confirm_offer(session: AsyncSession, ctx: Context, member: Member, booking_id: int) -> Booking:
    booking, slot, day = await _own(session, member, booking_id)
    if booking.status == BOOKED:
        raise Refused("reception_offer_already")
    until = await hold_until(session, ctx, booking, slot) if booking.status == OFFERED else None
    if booking.status != OFFERED or (until is not None and until <= ctx.now()):
        raise Refused("reception_offer_expired")
    if not await _move(session, booking, OFFERED, status=BOOKED, booked_at=ctx.now()):
        raise Refused("reception_offer_expired")
    await changed(session, day.id)
    audit.record(session, ctx, "reception.offer_confirmed", "reception_booking", booking.id, actor_id=member.id)
    return booking


async def decline_offer(session: AsyncSession, ctx: Context, member: Member, booking_id: int) -> Booking:
    booking, slot, day = await _own(session, member, booking_id)
    if booking.status != OFFERED or not await _move(session, booking, OFFERED, status=DECLINED, ended_at=ctx.now()):
        raise Refused("reception_offer_expired")
    await release(session, ctx, slot, day)
    await changed(session, day.id)
    audit.record(session, ctx, "reception.offer_declined", "reception_booking", booking.id, actor_id=member.id)
    return booking


async def release(session: AsyncSession, ctx: Context, slot: ReceptionSlot, day: ReceptionDay) -> Booking | None:
    """A place on the slot freed: hold it for the first member waiting, or give it back to the slot."""
    now = ctx.now()
    if day.status == OPEN and now < slot.starts_at:
        waiting = (await session.execute(
            select(Booking).where(Booking.slot_id == slot.id, Booking.status == WAITING).order_by(Booking.id)
        )).scalars().all()
        # The hold starts when the offer can be sent (not in quiet hours), never ends in them, and ends by the
        # meeting at the latest; once the offer is delivered it runs from then (`hold_until`).
        expires = min(calendar.awake_after(now, OFFER_HOLD, ctx), slot.starts_at)
        for candidate in waiting:
            if await _move(session, candidate, WAITING, status=OFFERED, offer_expires_at=expires):
                await jobs.offer(session, ctx, candidate, slot, day)
                return candidate
    await session.execute(update(ReceptionSlot).where(ReceptionSlot.id == slot.id, ReceptionSlot.booked > 0)
                          .values(booked=ReceptionSlot.booked - 1).execution_options(synchronize_session=False))
    return None


@producers.producer("reception.offers")
async def expire_offers(session: AsyncSession, ctx: Context) -> int:
    """Offers not confirmed within their hold lapse, and the place moves on to the next in line."""
    due = (await session.execute(
        select(Booking).where(Booking.status == OFFERED, Booking.offer_expires_at <= ctx.now())
        .order_by(Booking.offer_expires_at, Booking.id).limit(500)
    )).scalars().all()
    count = 0
    for booking in due:
        slot, day = await slot_and_day(session, booking.slot_id)
        until = await hold_until(session, ctx, booking, slot)
        if until is None or until > ctx.now():  # not delivered yet, or delivered later than it was queued
            if until is not None:
                booking.offer_expires_at = until
            continue
        if not await _move(session, booking, OFFERED, status=LAPSED, ended_at=ctx.now()):
            continue
        await jobs.lapsed(session, ctx, booking, slot, day)
        await release(session, ctx, slot, day)
        await changed(session, day.id)
        count += 1
    return count


@producers.producer("reception.waitlists")
async def close_waitlists(session: AsyncSession, ctx: Context) -> int:
    """When a slot begins, whoever is still waiting for it will not get in: their place on the waitlist ends
    and they are told, rather than left waiting for a meeting that is over."""
    due = (await session.execute(
        select(Booking).join(ReceptionSlot, ReceptionSlot.id == Booking.slot_id)
        .where(Booking.status == WAITING, ReceptionSlot.starts_at <= ctx.now())
        .order_by(Booking.id).limit(500)
    )).scalars().all()
    count = 0
    for booking in due:
        if not await _move(session, booking, WAITING, status=LAPSED, ended_at=ctx.now()):
            continue
        slot, day = await slot_and_day(session, booking.slot_id)
        if ctx.now() - slot.starts_at < STALE:  # news of a meeting long past is no news
            await jobs.waitlist_closed(session, ctx, booking, slot, day)
        count += 1
    return count


@dataclass
class MyBooking:
    booking: Booking
    day: ReceptionDay
    leader: str
    starts: datetime  # local
    ends: datetime
    position: int
    can_cancel: bool
    expires: datetime | None  # local: until when an offer is held
    task_state: str | None = None  # for a matter turned into a task: where that task stands now


async def mine(session: AsyncSession, ctx: Context, member: Member, limit: int = 10) -> list[MyBooking]:
    """The member's bookings, waitlist places and offers on days still to come, and recent outcomes."""
    since = ctx.now() - timedelta(days=60)
    rows = (await session.execute(
        select(Booking, ReceptionSlot, ReceptionDay, Member.name)
        .join(ReceptionSlot, ReceptionSlot.id == Booking.slot_id)
        .join(ReceptionDay, ReceptionDay.id == Booking.day_id)
        .join(Member, Member.id == ReceptionDay.leader_id)
        .where(Booking.member_id == member.id,
               ((Booking.status.in_(ACTIVE)) & (ReceptionSlot.ends_at > ctx.now()))
               | ((Booking.outcome.is_not(None)) & (ReceptionDay.starts_at > since)))
        .order_by(ReceptionSlot.starts_at, Booking.id)
        .limit(limit)
    )).all()
    today = ctx.local_now().date()
    out = []
    for booking, slot, day, leader in rows:
        position = await waiting_position(session, booking) if booking.status == WAITING else 0
        can_cancel = booking.status == WAITING or (booking.status in HOLDING and today < day.day)
        out.append(MyBooking(booking, day, leader, calendar.local(slot.starts_at, ctx),
                             calendar.local(slot.ends_at, ctx), position,
                             can_cancel and slot.starts_at > ctx.now(),
                             calendar.local(booking.offer_expires_at, ctx) if booking.offer_expires_at else None,
                             await _task_state(session, booking.task_id)))
    return out


async def _task_state(session: AsyncSession, task_id: int | None) -> str | None:
    """So a member can see what became of their matter, not only that it became a task."""
    if task_id is None:
        return None
    return await tasks.task_status(session, task_id)
