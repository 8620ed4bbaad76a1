"""Lesson broadcast: publish one micro-lesson to N members (default 10,000) and drain it into the fake Bot API.

    .venv/bin/python benchmarks/lesson_broadcast.py [--members 10000] [--drain 3000] [--database-url URL]

Prints the time to publish (audience snapshot + one outbox row per member, one transaction; target < 2 s on
SQLite), the drain rate with the rate limit off, the bare `bot.send_message` loop's rate against the same
server in the same run, and their ratio. The rates are measured over the first `--drain` messages (the fake
server shares the process, so draining all 10,000 takes about a minute; `--drain 10000` does it).
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
from sqlalchemy import func, insert, select  # noqa: E402
from telegram import Bot, InlineKeyboardMarkup  # noqa: E402

from bot.sandbox.fakeapi import FakeBotAPI  # noqa: E402
from bot.sender import Sender  # noqa: E402
from storage import lessons, migrate  # noqa: E402
from storage.clock import Clock  # noqa: E402
from storage.context import Context  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.lessons import parse  # noqa: E402
from storage.lessons import LessonAssignment  # noqa: E402
from storage.models.org import Member, Unit  # noqa: E402
from storage.models.outbox import Outbox  # noqa: E402

LESSON = """# 学习党章：党员的义务

党章规定了党员必须履行的**八项义务**。本课学习其中最重要的几项：

- 认真学习马克思列宁主义、毛泽东思想、邓小平理论和新时代的创新理论
- 全心全意为人民服务，不惜牺牲个人的一切
- 坚决执行党的决定，服从组织分配

更多内容见 [党章全文](https://www.12371.cn/special/dz/)。

## Quiz

Q: 党章规定党员有几项义务？
- [ ] 六项
- [x] 八项
> 党章第三条规定了党员的八项义务。
"""


async def main(n: int, drain: int, database_url: str | None) -> None:
    tmp = tempfile.mkdtemp(prefix="tongxin-bench-")
    url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
    await migrate.upgrade(url)
    db = Database(url)
    ctx = Context(clock=Clock(), quiet_start=0, quiet_end=0)  # no quiet hours: measure, do not wait
    fake = FakeBotAPI()
    await fake.start()
    tg = Bot(token=fake.token, base_url=f"{fake.base_url}/bot")
    await tg.initialize()
    try:
        async with db.session() as s:
            branch = Unit(kind="branch", name="基准支部")
            s.add(branch)
            await s.flush()
            rows = [{"employee_no": f"L{i}", "name": f"党员{i}", "roles": "employee", "party_member": True,
                     "branch_id": branch.id, "chat_id": 1_000_000 + i, "telegram_user_id": 1_000_000 + i,
                     "language": "zh", "reachable": True, "active": True, "created_at": ctx.now()}
                    for i in range(n)]
            for i in range(0, n, 2000):
                await s.execute(insert(Member), rows[i:i + 2000])
        async with db.session() as s:
            lesson = await lessons.create(s, ctx, parse(LESSON), audience="branch:基准支部", min_read=60)
            sample = lessons.push_messages(lesson, "zh")

        start = time.perf_counter()
        async with db.session() as s:
            written = await lessons.publish_due(s, ctx)
        publish_s = time.perf_counter() - start
        async with db.session() as s:
            assigned = (await s.execute(select(func.count()).select_from(LessonAssignment))).scalar_one()
            queued = (await s.execute(select(func.count()).select_from(Outbox))).scalar_one()
        assert written == queued == assigned == n, (written, queued, assigned)

        # Baseline: the bare send loop with the same message and buttons, one per chat.
        params = dict(sample[-1]["params"])
        params.pop("link_preview_options", None)
        markup = InlineKeyboardMarkup.de_json(params.pop("reply_markup"), tg)
        drain = min(drain, n)
        start = time.perf_counter()
        for i in range(drain):
            await tg.send_message(2_000_000 + i, reply_markup=markup, disable_web_page_preview=True, **params)
        bare_rate = drain / (time.perf_counter() - start)

        batch = 500
        sender = Sender(tg, db, ctx, per_second=0, chat_interval=0, batch=batch, concurrency=32)
        start = time.perf_counter()
        stats = await sender.drain(max_batches=-(-drain // batch))
        drain_s = time.perf_counter() - start
        assert stats.sent == -(-drain // batch) * batch or stats.sent == n, stats
        drain_rate = stats.sent / drain_s

        print(f"database:              {url.split(':')[0]}")
        print(f"members:               {n}")
        print(f"messages per member:   {len(sample)}")
        print(f"publish (enqueue):     {publish_s:.2f} s  (target < 2 s on SQLite)"
              f"  [{n / publish_s:.0f} members/s]")
        print(f"outbox drain:          {drain_rate:.0f} msg/s  ({stats.sent} messages in {drain_s:.1f} s)")
        print(f"bare send loop:        {bare_rate:.0f} msg/s")
        print(f"ratio drain/bare:      {drain_rate / bare_rate:.2f}")
    finally:
        await tg.shutdown()
        await fake.stop()
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--drain", type=int, default=3000, help="messages to measure the send rates over")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.drain, args.database_url))
