"""Leader reception days: creating days (once or recurring), generating recurring days ahead, and what a
member sees when they look for a slot. The /newreception steps live in `wizard`, booking in
`booking`, notifications and their producers in `jobs`, outcomes in `outcome`, KPIs in `kpi`.
"""
from __future__ import annotations

import calendar as _cal
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audiences, audit, calendar, members, producers, tabular
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.reception.models import (ACTIVE, BOOKED, HOLDING, OPEN, WAITING, Booking, ReceptionDay,
                                      ReceptionSeries, ReceptionSlot)

DEFAULT_NOTICE_DAYS = 2
NOTICE_MAX = 30
DEFAULT_AHEAD = 3
TOPIC_MAX = 500
PLACE_MAX = 200
MAX_CAPACITY = 100
RULES = ("monthly", "weekly")


# --- reading what people type ------------------------------------------------------------------------

def parse_date(text: str) -> date:
    parsed = tabular.parse_datetime((text or "").strip())
    if parsed is None or parsed[1] is not None:
        raise Refused("reception_bad_date", value=text or "")
    return parsed[0]


_TIME = re.compile(r"^(\d{1,2})[:：.](\d{2})$")


def parse_time(text: str) -> time:
    m = _TIME.match((text or "").strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise Refused("reception_bad_time", value=text or "")
    return time(int(m.group(1)), int(m.group(2)))


def clean_topic(text: str | None) -> str:
    topic = (text or "").strip()
    if not topic:
        raise Refused("reception_topic_required")
    if len(topic) > TOPIC_MAX:
        raise Refused("reception_topic_too_long", limit=TOPIC_MAX, length=len(topic))
    return topic


# --- creating days -----------------------------------------------------------------------------------

@dataclass
class DaySpec:
    """Everything that defines a reception day (or a recurring series of them)."""

    leader_no: str
    day: date
    start: time
    end: time
    slot_minutes: int = 30
    capacity: int = 1
    place: str = ""
    audience: str = "all"
    notice_days: int = DEFAULT_NOTICE_DAYS
    rule: str | None = None  # None, "monthly" or "weekly"
    rule_value: int | None = None  # day of month, or ISO weekday 1-7
    ahead: int = DEFAULT_AHEAD


@dataclass
class Checked:
    spec: DaySpec
    leader: Member
    audience: str
    first: date | None = None  # the first day the spec yields


def slot_times(start: time, end: time, minutes: int) -> list[tuple[time, time]]:
    """The slots that fit whole between start and end."""
    out, begin = [], start.hour * 60 + start.minute
    stop = end.hour * 60 + end.minute
    while minutes > 0 and begin + minutes <= stop:
        out.append((time(begin // 60, begin % 60), time((begin + minutes) // 60, (begin + minutes) % 60)))
        begin += minutes
    return out


async def check_leader(session: AsyncSession, employee_no: str) -> Member:
    leader = await members.by_employee_no(session, (employee_no or "").strip())
    if leader is None or not leader.active:
        raise Refused("reception_unknown_leader", value=employee_no or "")
    return leader


def check_hours(start: time, end: time, slot_minutes: int, capacity: int) -> None:
    if not 5 <= slot_minutes <= 240:
        raise Refused("reception_bad_slot", value=slot_minutes)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise Refused("reception_bad_capacity", value=capacity, limit=MAX_CAPACITY)
    if start >= end or not slot_times(start, end, slot_minutes):
        raise Refused("reception_no_slots", start=start.strftime("%H:%M"), end=end.strftime("%H:%M"),
                      minutes=slot_minutes)


def check_place(text: str | None) -> str:
    place = " ".join((text or "").split())
    if not place or len(place) > PLACE_MAX:
        raise Refused("reception_bad_place", limit=PLACE_MAX)
    return place


async def check_spec(session: AsyncSession, ctx: Context, spec: DaySpec) -> Checked:
    """Every rule a day must meet, checked before anything is written."""
    leader = await check_leader(session, spec.leader_no)
    check_hours(spec.start, spec.end, spec.slot_minutes, spec.capacity)
    spec.place = check_place(spec.place)
    if not 0 <= spec.notice_days <= NOTICE_MAX:
        raise Refused("reception_bad_notice", value=spec.notice_days)
    audience = await audiences.validate(session, spec.audience or "all")
    if spec.rule is not None:
        if spec.rule not in RULES:
            raise Refused("reception_bad_rule", value=spec.rule)
        top = 31 if spec.rule == "monthly" else 7
        if spec.rule_value is None or not 1 <= spec.rule_value <= top:
            raise Refused("reception_bad_rule_value", value=spec.rule_value if spec.rule_value is not None else "",
                          top=top)
        if not 1 <= spec.ahead <= 24:
            raise Refused("reception_bad_ahead", value=spec.ahead)
        if spec.rule == "weekly" and spec.rule_value >= 6:  # every date would be skipped as a weekend
            raise Refused("reception_weekly_weekend", value=spec.rule_value)
    checked = Checked(spec, leader, audience)
    first = spec.day if spec.rule is None else next_occurrence(spec.rule, spec.rule_value, spec.day)
    if calendar.at_local(first, spec.start, ctx) <= ctx.now():
        raise Refused("reception_in_past", day=first)
    checked.first = first
    return checked


def next_occurrence(rule: str, value: int, on_or_after: date) -> date:
    """The first date on or after `on_or_after` matching the rule (months without that day are skipped)."""
    if rule == "weekly":
        return on_or_after + timedelta(days=(value - 1 - on_or_after.weekday()) % 7)
    year, month = on_or_after.year, on_or_after.month
    while True:
        if value <= _cal.monthrange(year, month)[1]:
            candidate = date(year, month, value)
            if candidate >= on_or_after:
                return candidate
        month += 1
        if month > 12:
            year, month = year + 1, 1


async def create(session: AsyncSession, ctx: Context, spec: DaySpec, *, actor_id: int | None,
                 shifts: list[tuple[date, date | None]] | None = None) -> list[ReceptionDay]:
    """Create one day, or a series and its first days; refuses (writing nothing) on any bad value. A series'
    dates that fall on non-working days are added to `shifts` (see `generate`), for the creator to be told."""
    checked = await check_spec(session, ctx, spec)
    if spec.rule is None:
        day = await _add_day(session, ctx, leader_id=checked.leader.id, day=spec.day, start=spec.start,
                             end=spec.end, slot_minutes=spec.slot_minutes, capacity=spec.capacity,
                             place=spec.place, audience=checked.audience, notice_days=spec.notice_days,
                             created_by=actor_id)
        audit.record(session, ctx, "reception.day_created", "reception_day", day.id, actor_id=actor_id)
        return [day]
    series = ReceptionSeries(leader_id=checked.leader.id, rule=spec.rule, rule_value=spec.rule_value,
                             first_date=checked.first, start_minute=spec.start.hour * 60 + spec.start.minute,
                             end_minute=spec.end.hour * 60 + spec.end.minute, slot_minutes=spec.slot_minutes,
                             capacity=spec.capacity, notice_days=spec.notice_days, place=spec.place,
                             audience=checked.audience, ahead=spec.ahead, active=True, created_by=actor_id,
                             created_at=ctx.now())
    session.add(series)
    await session.flush()
    audit.record(session, ctx, "reception.series_created", "reception_series", series.id, actor_id=actor_id)
    return await generate(session, ctx, series, shifts)


async def _add_day(session: AsyncSession, ctx: Context, *, leader_id: int, day: date, start: time, end: time,
                   slot_minutes: int, capacity: int, place: str, audience: str, notice_days: int,
                   created_by: int | None, series_id: int | None = None) -> ReceptionDay:
    slots = slot_times(start, end, slot_minutes)
    row = ReceptionDay(series_id=series_id, leader_id=leader_id, day=day,
                       starts_at=calendar.at_local(day, slots[0][0], ctx),
                       ends_at=calendar.at_local(day, slots[-1][1], ctx), slot_minutes=slot_minutes,
                       capacity=capacity, notice_days=notice_days, place=place, audience=audience, status=OPEN,
                       agenda_version=0, agenda_sent_version=None, outcome_sheet_sent=False,
                       created_by=created_by, created_at=ctx.now())
    session.add(row)
    await session.flush()
    session.add_all([ReceptionSlot(day_id=row.id, position=i + 1, starts_at=calendar.at_local(day, a, ctx),
                                   ends_at=calendar.at_local(day, b, ctx), capacity=capacity, booked=0)
                     for i, (a, b) in enumerate(slots)])
    await session.flush()
    return row


def _minute(value: int) -> time:
    return time(value // 60, value % 60)


def working_date(rule: str, planned: date, ctx: Context) -> date | None:
    """Where a series' date goes when it is not a working day (weekend or on the holiday list): a monthly day
    moves to the next working day (before the next month's date), a weekly one is skipped (None)."""
    if calendar.is_working_day(planned, ctx):
        return planned
    if rule != "monthly":
        return None
    moved = calendar.next_working_day(planned, ctx)
    return moved if moved.month == planned.month or moved.day < planned.day else None


async def generate(session: AsyncSession, ctx: Context, series: ReceptionSeries,
                   shifts: list[tuple[date, date | None]] | None = None) -> list[ReceptionDay]:
    """Top the series up to `ahead` upcoming days, on working days only: each date moved or skipped is added
    to `shifts` as (planned, moved to or None). Idempotent: a day that exists (made by this call earlier,
    or by another replica just now) is skipped by the unique (series, day) constraint."""
    from storage import holidays

    await holidays.refresh(session, ctx)  # a list loaded a minute ago by the CLI counts already
    today = ctx.local_now().date()
    upcoming = (await session.execute(
        select(ReceptionDay.day).where(ReceptionDay.series_id == series.id, ReceptionDay.day >= today)
        .order_by(ReceptionDay.day)
    )).scalars().all()
    last = (await session.execute(
        select(func.max(ReceptionDay.day)).where(ReceptionDay.series_id == series.id)
    )).scalar_one_or_none()
    cursor = max(series.first_date, today) if last is None else max(last + timedelta(days=1), today)
    made: list[ReceptionDay] = []
    start, end = _minute(series.start_minute), _minute(series.end_minute)
    wanted, tried = series.ahead - len(upcoming), 0
    for _ in range(max(0, wanted) + 60):  # bounded: non-working dates are passed over
        if tried >= wanted:
            break
        planned = next_occurrence(series.rule, series.rule_value, cursor)
        cursor = planned + timedelta(days=1)
        day = working_date(series.rule, planned, ctx)
        if day is None or calendar.at_local(day, start, ctx) <= ctx.now():
            if day is None and shifts is not None and calendar.at_local(planned, start, ctx) > ctx.now():
                shifts.append((planned, None))
            continue
        if day in upcoming:
            continue  # a moved day that was made before
        tried += 1
        if day != planned and shifts is not None:
            shifts.append((planned, day))
        try:
            async with session.begin_nested():
                made.append(await _add_day(session, ctx, leader_id=series.leader_id, day=day, start=start, end=end,
                                           slot_minutes=series.slot_minutes, capacity=series.capacity,
                                           place=series.place, audience=series.audience,
                                           notice_days=series.notice_days, created_by=series.created_by,
                                           series_id=series.id))
        except IntegrityError:
            continue
    return made


# --- what a member sees -----------------------------------------------------------------------------

@dataclass
class SlotView:
    id: int
    position: int
    starts: datetime  # local
    ends: datetime
    free: int
    capacity: int
    waiting: int


@dataclass
class DayView:
    id: int
    leader: str
    day: date
    starts: datetime  # local
    ends: datetime
    place: str
    slots: list[SlotView]
    open: bool  # the notice period has not begun yet
    last_day: date  # the last date a booking is accepted
    mine: "Booking | None" = None
    mine_slot: SlotView | None = None


def last_booking_day(day: date, notice_days: int, ctx: Context | None = None) -> date:
    """Bookings need `notice_days` working days between the booking date and the reception day."""
    return calendar.add_working_days(day, -notice_days, ctx) if notice_days else day


def notice_open(ctx: Context, day: ReceptionDay) -> bool:
    today = ctx.local_now().date()
    return calendar.working_days_between(today, day.day, ctx) >= day.notice_days and today <= day.day


async def upcoming_for(session: AsyncSession, ctx: Context, member: Member, limit: int = 6) -> list[DayView]:
    """Upcoming open days this member may book, with each slot's free places and their own booking."""
    days = (await session.execute(
        select(ReceptionDay).where(ReceptionDay.status == OPEN, ReceptionDay.starts_at > ctx.now())
        .order_by(ReceptionDay.starts_at, ReceptionDay.id)
    )).scalars().all()
    # A leader's own days are not for them to book: they see those as their agenda (`own_days`).
    allowed = [d for d in days if d.leader_id != member.id
               and await audiences.includes(session, d.audience, member)][:limit]
    return await day_views(session, ctx, allowed, member)


async def day_views(session: AsyncSession, ctx: Context, days, member: Member | None) -> list[DayView]:
    if not days:
        return []
    ids = [d.id for d in days]
    slots = (await session.execute(
        select(ReceptionSlot).where(ReceptionSlot.day_id.in_(ids)).order_by(ReceptionSlot.position)
    )).scalars().all()
    waiting = dict((await session.execute(
        select(Booking.slot_id, func.count()).where(Booking.day_id.in_(ids), Booking.status == WAITING)
        .group_by(Booking.slot_id)
    )).all())
    leaders = dict((await session.execute(
        select(Member.id, Member.name).where(Member.id.in_({d.leader_id for d in days}))
    )).all())
    mine: dict[int, Booking] = {}
    if member is not None:
        for b in (await session.execute(
            select(Booking).where(Booking.day_id.in_(ids), Booking.member_id == member.id,
                                  Booking.status.in_(ACTIVE))
        )).scalars():
            mine[b.day_id] = b
    views = []
    for d in days:
        svs = [SlotView(s.id, s.position, calendar.local(s.starts_at, ctx), calendar.local(s.ends_at, ctx),
                        s.capacity - s.booked, s.capacity, waiting.get(s.id, 0)) for s in slots if s.day_id == d.id]
        v = DayView(d.id, leaders.get(d.leader_id, ""), d.day, calendar.local(d.starts_at, ctx),
                    calendar.local(d.ends_at, ctx), d.place, svs, notice_open(ctx, d),
                    last_booking_day(d.day, d.notice_days, ctx), mine.get(d.id))
        if v.mine is not None:
            v.mine_slot = next((s for s in svs if s.id == v.mine.slot_id), None)
        views.append(v)
    return views


async def leader_days(session: AsyncSession, ctx: Context, leader_id: int) -> list[ReceptionDay]:
    return list((await session.execute(
        select(ReceptionDay).where(ReceptionDay.leader_id == leader_id, ReceptionDay.status == OPEN,
                                   ReceptionDay.ends_at > ctx.now()).order_by(ReceptionDay.starts_at)
    )).scalars().all())


@dataclass
class OwnDay:
    """A leader's coming day as they see it: who booked each slot and the matter they raise."""

    day: date
    starts: datetime  # local
    ends: datetime
    place: str
    slots: list[dict]  # {"starts", "ends", "name", "topic", "pending"} per place taken, in slot order


async def own_days(session: AsyncSession, ctx: Context, member: Member, limit: int = 6) -> list[OwnDay]:
    """The member's own coming reception days (as the leader), with the bookings on each."""
    out = []
    for d in (await leader_days(session, ctx, member.id))[:limit]:
        taken = [{"starts": calendar.local(slot.starts_at, ctx), "ends": calendar.local(slot.ends_at, ctx),
                  "name": who.name, "topic": booking.topic, "pending": booking.status != BOOKED}
                 for slot, booking, who in await holders(session, d.id)]
        out.append(OwnDay(d.day, calendar.local(d.starts_at, ctx), calendar.local(d.ends_at, ctx), d.place, taken))
    return out


async def leader_name(session: AsyncSession, day: ReceptionDay) -> str:
    leader = await session.get(Member, day.leader_id)
    return leader.name if leader else ""


async def leaders(session: AsyncSession) -> list[Member]:
    """Members with the leader role: the wizard lists them so the secretary need not look up numbers."""
    rows = (await session.execute(
        select(Member).where(Member.active.is_(True), Member.roles.contains("leader")).order_by(Member.name)
    )).scalars().all()
    return [m for m in rows if m.has_role("leader")]


async def holders(session: AsyncSession, day_id: int) -> list[tuple[ReceptionSlot, Booking, Member]]:
    """The day's places taken, in slot order: (slot, booking, member)."""
    return list((await session.execute(
        select(ReceptionSlot, Booking, Member).join(Booking, Booking.slot_id == ReceptionSlot.id)
        .join(Member, Member.id == Booking.member_id)
        .where(ReceptionSlot.day_id == day_id, Booking.status.in_(HOLDING))
        .order_by(ReceptionSlot.position, Booking.id)
    )).all())


async def staff_for_day(session: AsyncSession, day: ReceptionDay) -> list[Member]:
    """The secretaries who look after a day: those over the leader's department and branch, and whoever
    created the day (if they are staff)."""
    leader = await session.get(Member, day.leader_id)
    found: dict[int, Member] = {}
    for unit_id in (leader.unit_id, leader.branch_id) if leader else ():
        if unit_id is not None:
            for m in await members.secretaries_for_unit(session, unit_id):
                found[m.id] = m
    if day.created_by is not None and day.created_by not in found:
        creator = await session.get(Member, day.created_by)
        if creator is not None and creator.active and creator.is_staff:
            found[creator.id] = creator
    return [found[k] for k in sorted(found)]


async def may_manage(session: AsyncSession, member: Member, day: ReceptionDay) -> bool:
    if member.has_role("admin"):
        return True
    return member.is_staff and any(m.id == member.id for m in await staff_for_day(session, day))


