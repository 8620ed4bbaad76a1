"""One tick of the reminder producer on a big responsibility list (SQLite, like the embedded default).

100,000 tasks with deadlines spread over a year, 1% of them due now; the same at 10,000 tasks for the ratio.
A third run keeps 1,000 due tasks in a list of 10,000: against the 100,000 run it shows what the size of the
list itself costs (the producer reads only what is due, so that ratio should stay near 1x).

    .venv/bin/python benchmarks/reminder_tick.py [--tasks 100000] [--base 10000]
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from storage import migrate, roster, tasks  # noqa: E402
from storage.clock import FrozenClock  # noqa: E402
from storage.context import Context  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models.org import Member, Unit  # noqa: E402
from storage.models.outbox import Outbox  # noqa: E402
from storage.tasks import OPEN, Task  # noqa: E402

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=timezone.utc)  # Thursday 09:00 in Shanghai
OWNERS = 500


def organisation() -> bytes:
    lines = ["employee_no,name,department,branch,party_member,roles", "S1,书记,生产部,第一支部,是,secretary"]
    lines += [f"E{i:04d},员工{i},生产部,第一支部,否," for i in range(OWNERS)]
    return ("\n".join(lines) + "\n").encode()


async def build(path: Path, n: int, due: int, ctx: Context) -> Database:
    """n tasks; `due` of them have a deadline within 3 days (their first reminder is due), the rest later."""
    url = f"sqlite+aiosqlite:///{path}"
    await migrate.upgrade(url)
    db = Database(url)
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(organisation(), "org.csv"))
        await s.execute(Member.__table__.update().values(chat_id=Member.id + 50_000,
                                                         telegram_user_id=Member.id + 50_000))
        unit_id = (await s.execute(select(Unit.id).where(Unit.name == "生产部"))).scalar_one()
        owner_ids = list((await s.execute(select(Member.id).where(Member.employee_no.like("E%")))).scalars())
    today = date(2026, 12, 3)
    every = max(n // due, 1) if due else n + 1
    rows = []
    for i in range(n):
        if i % every == 0 and i // every < due:
            day = today + timedelta(days=1 + i % 3)  # due within 3 days: the 3-days-before reminder is due
        else:
            day = today + timedelta(days=4 + i % 361)  # the rest of the year
        t = Task(due_date=day, due_time=None, deadline_at=tasks.deadline_moment(day, None, ctx), status=OPEN)
        rows.append({"task_no": f"B-{i:06d}", "title": f"任务 {i}", "description": "", "lead_unit_id": unit_id,
                     "owner_id": owner_ids[i % len(owner_ids)], "due_date": day, "due_time": None,
                     "deadline_at": t.deadline_at, "status": OPEN, "reminder_stage": -1,
                     "next_reminder_at": tasks.stage_moment(t, 0, ctx), "created_at": NOW, "updated_at": NOW})
    async with db.session() as s:
        for i in range(0, len(rows), 5000):
            await s.execute(insert(Task), rows[i:i + 5000])
    return db


async def one_tick(label: str, n: int, due: int, workdir: Path) -> float:
    ctx = Context(clock=FrozenClock(NOW))
    db = await build(workdir / f"{label}.db", n, due, ctx)
    try:
        async with db.session() as s:
            really_due = (await s.execute(select(func.count(Task.id)).where(Task.next_reminder_at <= NOW))).scalar_one()
        start = time.perf_counter()
        async with db.session() as s:
            written = await tasks.produce_reminders(s, ctx)
        elapsed = (time.perf_counter() - start) * 1000
        async with db.session() as s:
            queued = (await s.execute(select(func.count(Outbox.id)))).scalar_one()
            again = await tasks.produce_reminders(s, ctx)
        assert written == queued == really_due and again == 0, (written, queued, really_due, again)
        print(f"{label:>22}: {n:>7,} tasks, {really_due:>5,} due: tick {elapsed:8.1f} ms, "
              f"{elapsed / max(really_due, 1):6.3f} ms per due task (a second tick writes {again})")
        return elapsed
    finally:
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        base = await one_tick("baseline (1% due)", args.base, args.base // 100, workdir)
        big = await one_tick("large (1% due)", args.tasks, args.tasks // 100, workdir)
        same_due = await one_tick("baseline (same due)", args.base, args.tasks // 100, workdir)
    print(f"ratio large/baseline, {args.tasks // args.base}x the tasks and the due: {big / base:.2f}x "
          f"(target well under {args.tasks // args.base}x)")
    print(f"ratio large/baseline at the same {args.tasks // 100:,} due tasks: {big / same_due:.2f}x "
          f"(the size of the list itself)")


if __name__ == "__main__":
    asyncio.run(main())
