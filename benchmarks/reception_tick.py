"""One scheduler tick of the reception producers (reminders, agenda, offers, waitlists, outcome sheets,
recurring days) on a long booking history (SQLite, like the embedded default).

Reception days every working day with 40 bookings each, most of them months ahead; tomorrow's day is the one
whose reminders and agenda are due. The baseline has a tenth of the bookings and the same day due: the ratio
shows what the size of the history costs a tick (the producers read only what is due, so it should stay
near 1x).

    .venv/bin/python benchmarks/reception_tick.py [--bookings 40000] [--base 4000]
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import date, datetime, time as clock_time, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from storage import calendar, migrate, producers, roster  # noqa: E402
from storage.clock import FrozenClock  # noqa: E402
from storage.context import Context  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models.org import Member  # noqa: E402
from storage.models.outbox import Outbox  # noqa: E402
from storage.reception import BOOKED, OPEN, Booking, ReceptionDay, ReceptionSlot  # noqa: E402

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)  # Thursday 18:00 in Shanghai: agenda and reminders due
PER_DAY = 40  # 8 slots of 30 minutes, 5 places each
SLOTS, CAPACITY = 8, 5
MEMBERS = 200


def organisation() -> bytes:
    lines = ["employee_no,name,department,branch,party_member,roles", "S1,书记,办公室,第一支部,是,secretary",
             "L1,领导,办公室,第一支部,是,leader"]
    lines += [f"E{i:04d},员工{i},生产部,第一支部,否," for i in range(MEMBERS)]
    return ("\n".join(lines) + "\n").encode()


async def build(path: Path, bookings: int, ctx: Context) -> Database:
    """Working days from tomorrow on, each full: `bookings` / 40 days."""
    url = f"sqlite+aiosqlite:///{path}"
    await migrate.upgrade(url)
    db = Database(url)
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(organisation(), "org.csv"))
        await s.execute(Member.__table__.update().values(chat_id=Member.id + 50_000,
                                                         telegram_user_id=Member.id + 50_000))
        leader = (await s.execute(select(Member.id).where(Member.employee_no == "L1"))).scalar_one()
        people = list((await s.execute(select(Member.id).where(Member.employee_no.like("E%")))).scalars())
    days, day = [], date(2026, 12, 4)
    while len(days) < bookings // PER_DAY:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    async with db.session() as s:
        day_rows = [{"leader_id": leader, "day": d, "starts_at": calendar.at_local(d, clock_time(14), ctx),
                     "ends_at": calendar.at_local(d, clock_time(18), ctx), "slot_minutes": 30, "capacity": CAPACITY,
                     "notice_days": 2, "place": "办公楼 301", "audience": "all", "status": OPEN, "agenda_version": 1,
                     "agenda_sent_version": None, "outcome_sheet_sent": False, "created_at": NOW} for d in days]
        await s.execute(insert(ReceptionDay), day_rows)
        day_ids = dict((await s.execute(select(ReceptionDay.day, ReceptionDay.id))).all())
        slot_rows = [{"day_id": day_ids[d], "position": p + 1,
                      "starts_at": calendar.at_local(d, clock_time(14), ctx) + timedelta(minutes=30 * p),
                      "ends_at": calendar.at_local(d, clock_time(14), ctx) + timedelta(minutes=30 * (p + 1)),
                      "capacity": CAPACITY, "booked": CAPACITY} for d in days for p in range(SLOTS)]
        await s.execute(insert(ReceptionSlot), slot_rows)
        slots = (await s.execute(select(ReceptionSlot.id, ReceptionSlot.day_id).order_by(ReceptionSlot.id))).all()
        rows, taken = [], {}
        for slot_id, day_id in slots:
            for _ in range(CAPACITY):
                n = taken.get(day_id, 0)
                taken[day_id] = n + 1
                rows.append({"day_id": day_id, "slot_id": slot_id, "member_id": people[(day_id * 7 + n) % MEMBERS],
                             "topic": f"事项 {len(rows)}", "status": BOOKED, "created_at": NOW, "booked_at": NOW,
                             "reminded_day": False, "reminded_hour": False})
        for i in range(0, len(rows), 5000):
            await s.execute(insert(Booking), rows[i:i + 5000])
    return db


async def one_tick(label: str, bookings: int, workdir: Path) -> float:
    ctx = Context(clock=FrozenClock(NOW))
    db = await build(workdir / f"{label}.db", bookings, ctx)
    mine = {name: fn for name, fn in producers.PRODUCERS.items() if name.startswith("reception.")}
    try:
        spent: dict[str, float] = {}
        written = 0
        for name, fn in mine.items():
            start = time.perf_counter()
            async with db.session() as s:
                written += await fn(s, ctx)
            spent[name] = (time.perf_counter() - start) * 1000
        async with db.session() as s:
            queued = (await s.execute(select(func.count(Outbox.id)))).scalar_one()
            total = (await s.execute(select(func.count(Booking.id)))).scalar_one()
        again = 0
        for fn in mine.values():
            async with db.session() as s:
                again += await fn(s, ctx)
        # Tomorrow's 40 members get their reminder, the leader and the secretary the agenda.
        assert written == queued == PER_DAY + 2 and again == 0, (written, queued, again)
        elapsed = sum(spent.values())
        slowest = max(spent, key=spent.get)
        print(f"{label:>9}: {total:>7,} bookings, {written} messages due: tick {elapsed:8.1f} ms "
              f"(slowest {slowest} {spent[slowest]:.1f} ms; a second tick writes {again})")
        return elapsed
    finally:
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=40_000)
    parser.add_argument("--base", type=int, default=4_000)
    args = parser.parse_args()
    producers.load_features()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        base = await one_tick("baseline", args.base, workdir)
        big = await one_tick("large", args.bookings, workdir)
    print(f"ratio large/baseline, {args.bookings // args.base}x the bookings and the same due: {big / base:.2f}x "
          f"(target near 1x)")


if __name__ == "__main__":
    asyncio.run(main())
