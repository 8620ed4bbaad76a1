"""On a real PostgreSQL, two replicas tick at once: a thousand tasks fall due together, and every reminder,
alert and digest is sent exactly once."""
from __future__ import annotations

import asyncio
import re
from collections import Counter

from sqlalchemy import func, select, update
from telegram import Bot

from bot.sandbox.fakeapi import FakeBotAPI
from bot.sender import Sender
from storage import producers, roster, tasks
from storage.context import Context
from storage.db import Database
from storage.models.org import Member
from storage.models.outbox import Outbox
from tests.support.tasks import sheet

OWNERS = 50
TASKS = 1000


def organisation() -> str:
    lines = ["employee_no,name,department,branch,party_member,roles", "S1,书记,生产部,第一支部,是,secretary"]
    lines += [f"E{i:03d},员工{i},生产部,第一支部,否," for i in range(OWNERS)]
    return "\n".join(lines) + "\n"


async def replica(db: Database, ctx: Context, fake: FakeBotAPI, rounds: int = 3) -> None:
    """One bot process's scheduler: producers, then the sender, a few ticks in a row."""
    bot = Bot(token=fake.token, base_url=fake.base_url + "/bot")
    await bot.initialize()
    try:
        sender = Sender(bot, db, ctx, per_second=0, chat_interval=0)
        for _ in range(rounds):
            await producers.run_all(db, ctx)
            await sender.drain()
    finally:
        await bot.shutdown()


async def test_a_thousand_tasks_due_at_once_with_two_replicas_ticking_are_each_reminded_once(pg_url, clock):
    fake = FakeBotAPI()
    await fake.start()
    dbs = [Database(pg_url), Database(pg_url)]
    ctxs = [Context(clock=clock, secret=b"test-secret-not-for-production") for _ in dbs]
    try:
        async with dbs[0].session() as s:
            await roster.apply(s, ctxs[0], roster.check(organisation().encode(), "org.csv"))
            await s.execute(update(Member).values(chat_id=Member.id + 50_000, telegram_user_id=Member.id + 50_000))
        rows = [f"P-{i:04d},任务{i},生产部,,E{i % OWNERS:03d},2026-12-02," for i in range(TASKS)]
        async with dbs[0].session() as s:
            result = await tasks.import_rows(s, ctxs[0], tasks.read(sheet(*rows), "big.csv"))
        assert result.created == TASKS

        await asyncio.gather(*(replica(db, ctx, fake) for db, ctx in zip(dbs, ctxs)))

        texts = [m.get("text", "") for chat in list(fake.sent) for m in fake.messages(chat)]
        overdue = Counter(re.search(r"\[(P-\d{4})\]", t).group(1) for t in texts if "任务已逾期" in t)
        alerts = Counter(re.search(r"\[(P-\d{4})\]", t).group(1) for t in texts if "逾期预警" in t)
        assigned = Counter(re.search(r"\[(P-\d{4})\]", t).group(1) for t in texts if "具体责任人" in t)
        assert len(overdue) == TASKS and set(overdue.values()) == {1}
        assert len(alerts) == TASKS and set(alerts.values()) == {1}
        assert len(assigned) == TASKS and set(assigned.values()) == {1}
        assert sum("责任清单日报" in t for t in texts) == 1
        async with dbs[0].session() as s:
            unsent = (await s.execute(select(func.count()).select_from(Outbox).where(Outbox.status != "sent"))).scalar_one()
            uncertain = (await s.execute(select(func.coalesce(func.sum(Outbox.uncertain_sends), 0)))).scalar_one()
        assert unsent == 0 and uncertain == 0
        assert fake.send_count == 3 * TASKS + 1
    finally:
        for db in dbs:
            await db.dispose()
        await fake.stop()
