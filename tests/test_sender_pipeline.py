"""The sender with the limits off: up to `Sender.ANNOUNCED` requests announced (in-flight mark committed) and
`Sender.WIRE` of them on the wire.

Attacks on the window between the two: a stop while announced requests wait for the wire, and a kill -9 there.
The fake Bot API holds every sendMessage until the test opens its gate, so the window is held open on purpose.
"""
from __future__ import annotations

import asyncio
import signal
from collections import Counter

from sqlalchemy import func, select
from telegram import Bot

from bot.sandbox.fakeapi import FakeBotAPI
from bot.sender import Sender
from storage import migrate, outbox
from storage.clock import Clock
from storage.context import Context
from storage.db import Database
from storage.models.outbox import PENDING, SENT, Outbox
from tests.support.delivery import bot_process, broadcast, stopped

CHATS = list(range(70_000, 70_200))
WIRE, ANNOUNCED = Sender.WIRE, Sender.ANNOUNCED


class GatedAPI(FakeBotAPI):
    """Answers sendMessage only once `gate` is open; counts the requests that arrived meanwhile."""

    def __init__(self):
        super().__init__(token="4245:pipeline")
        self.gate, self.waiting = asyncio.Event(), 0

    async def api_sendMessage(self, p: dict):
        self.waiting += 1
        await self.gate.wait()
        return await super().api_sendMessage(p)


async def _setup(db, ctx):
    fake = GatedAPI()
    await fake.start()
    bot = Bot(token=fake.token, base_url=f"{fake.base_url}/bot")
    await bot.initialize()
    async with db.session() as s:
        await outbox.enqueue_many(s, [outbox.row(ctx, key=f"pipe:{c}", chat_id=c, messages=[outbox.message("通知")],
                                                 kind="lesson.push") for c in CHATS])
    return fake, bot, Sender(bot, db, ctx, per_second=0, chat_interval=0)


async def _announced(db) -> int:
    async with db.session() as s:
        return (await s.execute(select(func.count()).where(Outbox.inflight.is_not(None)))).scalar_one()


async def _wait_for_the_window(db, fake) -> None:
    """WIRE requests on the wire (held by the gate) and ANNOUNCED announced."""
    for _ in range(400):
        if fake.waiting >= WIRE and await _announced(db) >= ANNOUNCED:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"window never opened: {fake.waiting} on the wire, {await _announced(db)} announced")


def _sent(fake) -> Counter:
    return Counter(c[1]["chat_id"] for c in fake.calls if c[0] == "sendMessage" and c[1]["chat_id"] in CHATS)


async def test_stop_with_announced_requests_waiting_sends_only_what_was_on_the_wire(db, ctx):
    fake, bot, sender = await _setup(db, ctx)
    try:
        drain = asyncio.create_task(sender.drain())
        await _wait_for_the_window(db, fake)
        assert fake.waiting == WIRE, f"never more than {WIRE} requests on the wire"
        stopping = asyncio.create_task(sender.stop())
        await asyncio.sleep(0.2)
        fake.gate.set()  # the requests on the wire are answered; those announced behind them must not go
        await stopping
        await asyncio.wait_for(drain, 10)
        assert fake.waiting == WIRE and len(_sent(fake)) == WIRE
        async with db.session() as s:
            statuses = Counter((await s.execute(select(Outbox.status))).scalars())
            uncertain = await outbox.uncertain_total(s)
        assert statuses == {SENT: WIRE, PENDING: len(CHATS) - WIRE} and uncertain == 0
        assert await _announced(db) == 0, "announced but never asked: the marks were cleared"

        after = Sender(bot, db, ctx, per_second=0, chat_interval=0)
        await after.drain()
        await after.stop()
        assert set(_sent(fake).values()) == {1} and len(_sent(fake)) == 200, "the rest once, nothing twice"
    finally:
        fake.gate.set()
        await bot.shutdown()
        await fake.stop()


async def test_kill_9_with_requests_on_the_wire_and_announced_repeats_only_the_wire_and_counts_them(tmp_path):
    fake = GatedAPI()
    await fake.start()
    url = f"sqlite+aiosqlite:///{tmp_path / 'tongxin.db'}"
    await migrate.upgrade(url)
    db = Database(url)
    await broadcast(db, Context(clock=Clock()), CHATS, "pipe", "通知")
    settings = dict(DATABASE_URL=url, TONGXIN_RATE_PER_SECOND="0", TONGXIN_CHAT_INTERVAL="0",
                    TONGXIN_OUTBOX_LEASE_SECONDS="2")
    proc = await bot_process(fake, tmp_path, **settings)
    try:
        await _wait_for_the_window(db, fake)
        proc.kill()  # WIRE requests have reached the API, more are announced behind them
        await proc.wait()
        fake.gate.set()
        proc = await bot_process(fake, tmp_path, **settings)
        await fake.wait_for(lambda: len(fake.accepted) >= 200 and len(_sent(fake)) == 200, 60)
        counts = _sent(fake)
        duplicates = sum(n - 1 for n in counts.values())
        assert duplicates <= WIRE, "at most the requests on the wire went twice"
        async with db.session() as s:
            uncertain = await outbox.uncertain_total(s)
        assert duplicates <= uncertain <= ANNOUNCED, "every possible duplicate counted, at most the announced ones"
    finally:
        fake.gate.set()
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            await stopped(proc, fake, 30)
        await db.dispose()
        await fake.stop()
