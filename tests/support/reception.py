"""Reception days for tests: made straight through the storage service, as the CLI would."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import select

from storage import members, reception
from storage.reception import Booking, ReceptionSlot

# Tuesday 15 December 2026, twelve days after the harness's default "now" (Thursday 3 December).
DAY = date(2026, 12, 15)


async def make_day(env, *, day: date = DAY, start: time = time(14), end: time = time(16), slot: int = 30,
                   capacity: int = 1, place: str = "办公楼 301", audience: str = "all", notice: int = 2,
                   leader: str = "1006", creator: str | None = None, rule: str | None = None,
                   rule_value: int | None = None) -> list[int]:
    """Create a day (or a series); returns the slot ids of the first day, in order."""
    async with env.db.session() as s:
        actor = (await members.by_employee_no(s, creator)).id if creator else None
        spec = reception.DaySpec(leader_no=leader, day=day, start=start, end=end, slot_minutes=slot,
                                 capacity=capacity, place=place, audience=audience, notice_days=notice, rule=rule,
                                 rule_value=rule_value)
        days = await reception.create(s, env.ctx, spec, actor_id=actor)
        return list((await s.execute(select(ReceptionSlot.id).where(ReceptionSlot.day_id == days[0].id)
                                     .order_by(ReceptionSlot.position))).scalars())


async def bookings(env) -> list[tuple[str, int, str]]:
    """(member employee_no, slot id, status) for every booking, oldest first."""
    from storage.models.org import Member

    async with env.db.session() as s:
        rows = (await s.execute(select(Member.employee_no, Booking.slot_id, Booking.status)
                                .join(Member, Member.id == Booking.member_id).order_by(Booking.id))).all()
    return [tuple(r) for r in rows]


async def booked_count(env, slot_id: int) -> int:
    async with env.db.session() as s:
        return (await s.get(ReceptionSlot, slot_id)).booked


async def booking_id(env, employee_no: str) -> int:
    """The id of this member's newest booking (what a forged callback would name)."""
    from storage.models.org import Member

    async with env.db.session() as s:
        query = (select(Booking.id).join(Member, Member.id == Booking.member_id)
                 .where(Member.employee_no == employee_no).order_by(Booking.id.desc()))
        return (await s.execute(query)).scalars().first()
