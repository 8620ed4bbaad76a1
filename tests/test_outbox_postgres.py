"""On a real PostgreSQL: two senders (two replicas) drain one outbox together and send each row once."""
from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, select
from telegram import Bot

from bot.sandbox.fakeapi import FakeBotAPI
from bot.sender import Sender
from storage import outbox
from storage.clock import FrozenClock
from storage.context import Context
from storage.db import Database
from storage.models.org import Member
from storage.models.outbox import SENT, Outbox
from tests.support.botenv import DEFAULT_NOW


async def _replica(pg_url: str, fake: FakeBotAPI, clock) -> tuple[Database, Sender, Bot]:
    db = Database(pg_url)
    ctx = Context(clock=clock)
    bot = Bot(token=fake.token, base_url=f"{fake.base_url}/bot")
    await bot.initialize()
    return db, Sender(bot, db, ctx, per_second=0, chat_interval=0, batch=50), bot


async def test_two_concurrent_senders_never_take_the_same_row(pg_url):
    fake = FakeBotAPI()
    await fake.start()
    clock = FrozenClock(DEFAULT_NOW)
    ctx = Context(clock=clock)
    first = await _replica(pg_url, fake, clock)
    second = await _replica(pg_url, fake, clock)
    try:
        async with first[0].session() as s:
            s.add_all([Member(employee_no=f"E{i}", name=f"m{i}", roles="employee", chat_id=10_000 + i,
                              telegram_user_id=10_000 + i, created_at=clock.now()) for i in range(600)])
        async with first[0].session() as s:
            members = (await s.execute(select(Member))).scalars().all()
            rows = [outbox.row(ctx, key=f"pg:{m.id}", chat_id=m.chat_id, member_id=m.id,
                               messages=[outbox.message(f"hello {m.id}")]) for m in members]
            assert await outbox.enqueue_many(s, rows) == 600
        # Both replicas also enqueue the same rows again, concurrently: dedupe keys keep one.
        async def enqueue_again(db):
            async with db.session() as s:
                return await outbox.enqueue_many(s, rows)
        assert await asyncio.gather(enqueue_again(first[0]), enqueue_again(second[0])) == [0, 0]

        stats = await asyncio.gather(first[1].drain(), second[1].drain())
        assert stats[0].sent + stats[1].sent == 600
        assert stats[0].sent > 0 and stats[1].sent > 0, "both replicas took a share"
        per_chat = Counter(c[1]["chat_id"] for c in fake.calls if c[0] == "sendMessage")
        assert len(per_chat) == 600 and set(per_chat.values()) == {1}
        async with first[0].session() as s:
            sent = (await s.execute(select(func.count()).where(Outbox.status == SENT))).scalar_one()
        assert sent == 600
    finally:
        for db, _, bot in (first, second):
            await bot.shutdown()
            await db.dispose()
        await fake.stop()
