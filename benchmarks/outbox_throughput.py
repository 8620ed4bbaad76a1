"""Outbox throughput: enqueue N messages to N members, drain them into the fake Bot API with the rate limit
off, and compare with a bare loop of `bot.send_message` against the same server, measured in the same run.

    .venv/bin/python benchmarks/outbox_throughput.py [--n 5000]

Prints messages/s for both and their ratio (target >= 0.5 on SQLite: the bookkeeping costs less than HTTP).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bot  # noqa: E402,F401  (sets PTB options)
from telegram import Bot  # noqa: E402

from bot.sandbox.fakeapi import FakeBotAPI  # noqa: E402
from bot.sender import Sender  # noqa: E402
from storage import migrate, outbox  # noqa: E402
from storage.clock import Clock  # noqa: E402
from storage.context import Context  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models.org import Member  # noqa: E402


async def main(n: int, database_url: str | None) -> None:
    tmp = tempfile.mkdtemp(prefix="tongxin-bench-")
    url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
    await migrate.upgrade(url)
    db = Database(url)
    ctx = Context(clock=Clock())
    fake = FakeBotAPI()
    await fake.start()
    tg = Bot(token=fake.token, base_url=f"{fake.base_url}/bot")
    await tg.initialize()
    try:
        async with db.session() as s:
            s.add_all([Member(employee_no=f"B{i}", name=f"m{i}", roles="employee", chat_id=1_000_000 + i,
                              telegram_user_id=1_000_000 + i, created_at=ctx.now()) for i in range(n)])

        # Baseline: the bare send loop, one message per chat.
        start = time.perf_counter()
        for i in range(n):
            await tg.send_message(2_000_000 + i, f"baseline {i}")
        bare_rate = n / (time.perf_counter() - start)

        start = time.perf_counter()
        async with db.session() as s:
            rows = [outbox.row(ctx, key=f"bench:{i}", chat_id=1_000_000 + i, member_id=i + 1,
                               messages=[outbox.message(f"outbox {i}")]) for i in range(n)]
            await outbox.enqueue_many(s, rows)
        enqueue_s = time.perf_counter() - start

        sender = Sender(tg, db, ctx, per_second=0, chat_interval=0, batch=500, concurrency=32)
        start = time.perf_counter()
        stats = await sender.drain()
        drain_s = time.perf_counter() - start
        assert stats.sent == n, stats
        outbox_rate = n / drain_s

        print(f"database:            {url.split(':')[0]}")
        print(f"messages:            {n}")
        print(f"enqueue:             {enqueue_s * 1000:.0f} ms")
        print(f"outbox drain:        {outbox_rate:.0f} msg/s")
        print(f"bare send loop:      {bare_rate:.0f} msg/s")
        print(f"ratio outbox/bare:   {outbox_rate / bare_rate:.2f}  (target >= 0.5)")
    finally:
        await tg.shutdown()
        await fake.stop()
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.database_url))
