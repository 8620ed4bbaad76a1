"""The monthly diagnostic report on a big organisation (SQLite, like the embedded default).

10,000 members in 20 departments and their branches, with 12 months of activity: tasks (a tenth of the
members own one a month; most done on time, some late, some still open), two micro-lessons a month to
everyone (six in ten learned), feedback tickets (one member in a hundred a month, half resolved with a PDCA
record). Builds the report for the last month (the workbook with its charts, and the HTML page) and prints
the seconds, then the same at 1,000 members: the cost per activity row should not grow (ratio near 1x or
under), and the 10,000 run should build in under 10 s.

    .venv/bin/python benchmarks/report.py [--members 10000] [--base 1000] [--months 12]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from storage import feedback, lessons, migrate, report, roster, tasks  # noqa: E402
from storage.clock import FrozenClock  # noqa: E402
from storage.context import Context  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models.org import Member, Unit  # noqa: E402

NOW = datetime(2027, 1, 4, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai
PERIOD = "2026-12"
DEPARTMENTS = 20


def organisation(n: int) -> bytes:
    lines = ["employee_no,name,department,branch,party_member,roles"]
    lines += [f"S{d:02d},书记{d},部门{d},支部{d},是,secretary" for d in range(DEPARTMENTS)]
    lines += [f"E{i:05d},员工{i},部门{i % DEPARTMENTS},支部{i % DEPARTMENTS},{'是' if i % 3 == 0 else '否'},"
              for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def month_start(months_back: int) -> date:
    index = 2026 * 12 + 11 - months_back
    return date(index // 12, index % 12 + 1, 1)


async def _insert(db: Database, model, rows: list[dict]) -> None:
    async with db.session() as s:
        for i in range(0, len(rows), 5000):
            await s.execute(insert(model), rows[i:i + 5000])


async def build(path: Path, n: int, months: int, ctx: Context) -> tuple[Database, int]:
    """The organisation and its activity; returns the database and the number of activity rows."""
    url = f"sqlite+aiosqlite:///{path}"
    await migrate.upgrade(url)
    db = Database(url)
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(organisation(n), "org.csv"))
        people = (await s.execute(select(Member.id, Member.unit_id, Member.branch_id)
                                  .where(Member.employee_no.like("E%")).order_by(Member.id))).all()
        departments = list((await s.execute(select(Unit.id).where(Unit.kind == "department"))).scalars())
    rng = random.Random(7)
    task_rows, note_rows, lesson_rows, assignment_rows, ticket_rows, ticket_units = [], [], [], [], [], []
    lesson_id = 0
    for back in range(months):
        first = month_start(back)
        for i in range(n // 10):  # tasks due this month
            owner = people[rng.randrange(len(people))]
            due = first + timedelta(days=rng.randrange(28))
            deadline = tasks.deadline_moment(due, None, ctx)
            fate = rng.random()
            done_at = deadline - timedelta(days=1) if fate < 0.7 else deadline + timedelta(days=2)
            status = tasks.DONE if fate < 0.9 or deadline > NOW else tasks.OPEN
            task_id = len(task_rows) + 1
            created = datetime.combine(first - timedelta(days=5), datetime.min.time(), tzinfo=ctx.tz)
            if status == tasks.DONE:  # the history the report replays: reported done, then confirmed
                note_rows += [{"task_id": task_id, "kind": kind, "text": "", "at": done_at}
                              for kind in ("done", "confirm")]
            task_rows.append({"id": task_id, "task_no": f"B-{back:02d}-{i:06d}", "title": f"任务 {i}", "description": "",
                              "lead_unit_id": owner.unit_id, "owner_id": owner.id, "due_date": due, "due_time": None,
                              "deadline_at": deadline, "status": status, "reminder_stage": 3,
                              "reported_at": done_at if status == tasks.DONE else None,
                              "confirmed_at": done_at if status == tasks.DONE else None,
                              "created_at": created, "updated_at": done_at if status == tasks.DONE else created})
        for k in range(2):  # two lessons a month to everyone
            lesson_id += 1
            published = datetime.combine(first + timedelta(days=3 + 10 * k), datetime.min.time(), tzinfo=ctx.tz)
            lesson_rows.append({"id": lesson_id, "title": f"微党课 {lesson_id}", "body": "正文", "quiz": [],
                                "audience": "all", "publish_at": published, "published_at": published,
                                "min_read_seconds": 0, "status": "published", "created_at": published})
            for p in people:
                learned = rng.random() < 0.6
                assignment_rows.append({"lesson_id": lesson_id, "member_id": p.id, "unit_id": p.unit_id,
                                        "branch_id": p.branch_id, "assigned_at": published, "pushed_at": published,
                                        "learned_at": published + timedelta(days=1) if learned else None,
                                        "learned_via": "read" if learned else None, "quiz_right": []})
        for i in range(max(1, n // 100)):  # feedback tickets
            received = first + timedelta(days=rng.randrange(28))
            resolved = rng.random() < 0.5
            ticket_id = f"T{back:02d}{i:05d}"
            ticket_rows.append({"id": ticket_id, "category": rng.choice(("work", "dispute", "hardship")),
                                "anonymous": True, "text": "意见", "status": "resolved" if resolved else "answered",
                                "received_on": received, "deadline_on": received + timedelta(days=3),
                                "first_reply_at": datetime.combine(received, datetime.min.time(), tzinfo=ctx.tz),
                                "answered_in_time": True, "escalations": 0,
                                "closed_on": received + timedelta(days=2) if resolved else None,
                                "root_cause": "沟通少" if resolved else None, "measure": "每周例会" if resolved else None,
                                "pdca_done": resolved})
            ticket_units.append({"ticket_id": ticket_id, "unit_id": departments[i % len(departments)]})
    await _insert(db, tasks.Task, task_rows)
    await _insert(db, tasks.TaskNote, note_rows)
    await _insert(db, lessons.Lesson, lesson_rows)
    await _insert(db, lessons.LessonAssignment, assignment_rows)
    await _insert(db, feedback.FeedbackTicket, ticket_rows)
    await _insert(db, feedback.FeedbackTicketUnit, ticket_units)
    return db, len(task_rows) + len(note_rows) + len(assignment_rows) + len(ticket_rows)


async def one_run(n: int, months: int, workdir: Path, note: str = "") -> tuple[float, int]:
    ctx = Context(clock=FrozenClock(NOW))
    db, rows = await build(workdir / f"r{n}-{months}.db", n, months, ctx)
    try:
        start, cpu = time.perf_counter(), time.process_time()
        async with db.session() as s:
            r = await report.gather(s, ctx, PERIOD, "zh", None)
        gathered = time.perf_counter() - start
        pictures = report.trend_png(r), report.units_png(r)  # drawn once for both forms
        xlsx = report.xlsx_bytes(r, *pictures)
        page = report.page_html(r, *pictures)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"{n:>7,} members, {rows:>9,} activity rows: report built in {elapsed:6.2f} s, {cpu:5.2f} s of CPU "
              f"(figures {gathered:5.2f} s; workbook {len(xlsx) // 1024} KiB, page {len(page) // 1024} KiB, "
              f"{len(r.tasks):,} tasks listed); {elapsed / rows * 1e6:6.2f} µs per activity row {note}")
        return elapsed, rows
    finally:
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--base", type=int, default=1_000)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        await one_run(args.base, 1, workdir, "warm-up (imports, fonts, templates)")
        small, small_rows = await one_run(args.base, args.months, workdir)
        big, big_rows = await one_run(args.members, args.months, workdir)
    growth = (big / big_rows) / (small / small_rows)
    print(f"{args.members:,} members: {big:.2f} s (target under 10 s); "
          f"{big_rows / small_rows:.1f}x the activity rows cost {big / small:.2f}x the time; "
          f"cost per activity row grew {growth:.2f}x (target at most 1x)")


if __name__ == "__main__":
    asyncio.run(main())
