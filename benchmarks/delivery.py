"""Delivery under Telegram's limits, against the fake Bot API enforcing them, in one run:

(a) a broadcast to N members (default 2,000) at 30/s: first-to-last delivery time against the ideal
    (N-1)/30 s, and their ratio (target <= 1.03);
(b) replies asked for in the middle of that broadcast (as a handler's direct reply does) and a personal
    notice enqueued meanwhile: reply latency p50/p99 (target p99 <= 1 s) and the notice's latency;
(c) the drain rate with limits off against a bare send loop (32 concurrent requests) in the same run, and
    their ratio (target >= 0.6).

    .venv/bin/python benchmarks/delivery.py [--members 2000] [--drain 3000]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bot  # noqa: E402,F401  (sets PTB options)
from telegram.ext import ExtBot  # noqa: E402

from bot.budget import SendBudget  # noqa: E402
from bot.sandbox.fakeapi import FakeBotAPI  # noqa: E402
from bot.sender import Sender  # noqa: E402
from storage import migrate, outbox  # noqa: E402
from storage.clock import Clock  # noqa: E402
from storage.context import Context  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models.outbox import BROADCAST, NOTICE  # noqa: E402


async def _setup(rate: float, chat: float):
    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='tongxin-bench-')}/bench.db"
    await migrate.upgrade(url)
    db, ctx, fake = Database(url), Context(clock=Clock()), FakeBotAPI()
    await fake.start()
    budget = SendBudget(rate, chat)
    tg = ExtBot(token=fake.token, base_url=f"{fake.base_url}/bot", rate_limiter=budget)
    await tg.initialize()
    return db, ctx, fake, tg, Sender(tg, db, ctx, budget=budget)


async def _rows(db, ctx, chats, key, lane, kind="lesson.push"):
    async with db.session() as s:
        await outbox.enqueue_many(s, [outbox.row(ctx, key=f"{key}:{c}", chat_id=c, messages=[outbox.message(key)],
                                                 kind=kind, lane=lane) for c in chats])


def _delivered(fake, key, chats) -> list[float]:
    want = set(chats)
    return sorted(t for t, _, c in fake.accepted if c in want)


async def broadcast_with_replies(members: int, replies: bool) -> None:
    db, ctx, fake, tg, sender = await _setup(30, 1.0)
    fake.enforce_limits(30, 1.0)
    chats = list(range(3_000_000, 3_000_000 + members))
    sender.start()
    try:
        await _rows(db, ctx, chats, "lesson", BROADCAST)
        await fake.wait_for(lambda: len(fake.accepted) >= 60, 60)
        latencies = []
        for i in range(20 if replies else 0):  # a reply every half second to a different person
            started = time.monotonic()
            await tg.send_message(4_000_000 + i, "reply")
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.5)
        if replies:
            enqueued = time.monotonic()
            await _rows(db, ctx, [5_000_000], "notice", NOTICE, kind="tasks.reported")
            await fake.wait_for(lambda: fake.messages(5_000_000), 60)
            notice = fake.accepted[[c for _, _, c in fake.accepted].index(5_000_000)][0] - enqueued
        await fake.wait_for(lambda: len(_delivered(fake, "lesson", chats)) >= members, members / 10 + 60)
        times = _delivered(fake, "lesson", chats)
        span, ideal = times[-1] - times[0], (members - 1) / 30
        if replies:
            latencies.sort()
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            print(f"(b) mid-broadcast replies (broadcast to {members}): p50 {statistics.median(latencies) * 1000:.0f}"
                  f" ms, p99 {p99 * 1000:.0f} ms (target p99 <= 1000 ms); notice {notice * 1000:.0f} ms after its "
                  f"commit; 429s: {fake.throttled}")
            return
        print(f"(a) broadcast to {members}: {span:.1f} s first to last, ideal {ideal:.1f} s, ratio {span / ideal:.3f}"
              f" (target <= 1.03); 429s: {fake.throttled}; peak {fake.peak_per_second()}/s")
    finally:
        await sender.stop()
        await tg.shutdown()
        await fake.stop()
        await db.dispose()


async def drain_against_bare_loop(n: int) -> None:
    db, ctx, fake, tg, sender = await _setup(0, 0)
    try:
        bare = ExtBot(token=fake.token, base_url=f"{fake.base_url}/bot")
        await bare.initialize()
        queue = list(range(6_000_000, 6_000_000 + n))

        async def worker():
            while queue:
                await bare.send_message(queue.pop(), "bare")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(32)))
        bare_rate = n / (time.perf_counter() - started)
        await bare.shutdown()
        await _rows(db, ctx, range(7_000_000, 7_000_000 + n), "drain", BROADCAST)
        started = time.perf_counter()
        stats = await sender.drain()
        rate = stats.sent / (time.perf_counter() - started)
        print(f"(c) limits off, on {db.engine.dialect.name}: outbox drain {rate:.0f} msg/s ({Sender.WIRE} requests on "
              f"the wire), bare send loop {bare_rate:.0f} msg/s (32), ratio {rate / bare_rate:.2f} (target >= 0.6)")
    finally:
        await tg.shutdown()
        await fake.stop()
        await db.dispose()


async def main(members: int, drain: int) -> None:
    await broadcast_with_replies(members, replies=False)
    await broadcast_with_replies(min(members, 600), replies=True)
    await drain_against_bare_loop(drain)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--drain", type=int, default=3000)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.drain))
