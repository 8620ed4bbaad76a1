"""Feedback routes: what anonymity costs when a writer looks up their tickets.

    .venv/bin/python benchmarks/feedback_routes.py [--routes 5000] [--writers 1000] [--database-url URL]

A ticket's writer is known only through its sealed route and there is no lookup tag, so /mytickets (and the
daily-limit check, over today's routes only) opens every live route with TONGXIN_SECRET. This prints the
time of that lookup with `--routes` live routes, of opening one route (every press on a ticket), and, as the
baseline measured in the same run, the lookup a non-anonymous design would do (tickets by writer id, one
indexed query), with their ratio.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from storage import migrate  # noqa: E402
from storage import feedback
from storage.clock import Clock  # noqa: E402
from storage.context import Context  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.feedback import FeedbackRoute, FeedbackTicket  # noqa: E402
from storage.models.org import Member  # noqa: E402

REPEAT = 20


async def timed(fn, repeat: int = REPEAT) -> float:
    """Median seconds of `repeat` runs of `await fn()`."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        runs.append(time.perf_counter() - start)
    runs.sort()
    return runs[len(runs) // 2]


async def main(n_routes: int, n_writers: int, database_url: str | None) -> None:
    tmp = tempfile.mkdtemp(prefix="tongxin-bench-")
    url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
    await migrate.upgrade(url)
    db = Database(url)
    ctx = Context(clock=Clock(), secret=b"benchmark-secret-0123456789")
    today = ctx.local_now().date()
    try:
        async with db.session() as s:
            now = ctx.now()
            await s.execute(insert(Member), [
                {"employee_no": f"B{i:06d}", "name": f"writer {i}", "roles": "employee", "created_at": now}
                for i in range(n_writers)])
            ids = list((await s.execute(select(Member.id).order_by(Member.id))).scalars())
            tickets, sealed = [], []
            for i in range(n_routes):
                tid = f"B{i:07d}"
                writer = ids[i % len(ids)]
                tickets.append({"id": tid, "category": "work", "anonymous": True, "text": "x", "status": "open",
                                "received_on": today - timedelta(days=i % 30), "deadline_on": today,
                                "escalations": 0, "pdca_done": False, "writer_member_id": writer})
                route = feedback.new_route(ctx, tid, writer)
                sealed.append({"ticket_id": tid, "sealed": route.sealed})
            await s.execute(insert(FeedbackTicket), tickets)
            await s.execute(insert(FeedbackRoute), sealed)
        me = ids[0]
        async with db.session() as s:
            mine = await feedback.tickets_of(s, ctx, me)
            assert len(mine) == len(range(0, n_routes, len(ids))), len(mine)

            async def anonymous_lookup():
                await feedback.tickets_of(s, ctx, me)

            async def todays_lookup():
                await feedback.tickets_of(s, ctx, me, received_on=today)

            async def one_route():
                await feedback.writer_id(s, ctx, "B0000000")

            async def signed_lookup():  # what a design that keeps the writer's id would do
                list((await s.execute(select(FeedbackTicket).where(FeedbackTicket.writer_member_id == me)
                                      .order_by(FeedbackTicket.received_on.desc()))).scalars())

            baseline = await timed(signed_lookup)
            anonymous = await timed(anonymous_lookup)
            daily = await timed(todays_lookup)
            single = await timed(one_route, repeat=200)
    finally:
        await db.dispose()
    print(f"live routes: {n_routes}, writers: {n_writers}, database: {url.split(':', 1)[0]}")
    print(f"/mytickets, opening every live route:     {anonymous * 1000:8.2f} ms")
    print(f"daily-limit check, today's routes only:   {daily * 1000:8.2f} ms")
    print(f"one route (each press on a ticket):       {single * 1000:8.3f} ms")
    print(f"baseline, tickets by writer id (signed):  {baseline * 1000:8.2f} ms")
    print(f"ratio /mytickets / baseline:              {anonymous / baseline:8.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=5000)
    parser.add_argument("--writers", type=int, default=1000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.routes, args.writers, args.database_url))
