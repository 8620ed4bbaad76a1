"""`python -m bot run` stopped in the middle of a broadcast: by SIGTERM (a clean, quick stop, no duplicate)
and by kill -9 (nothing lost; a duplicate only for a request on the wire, and counted)."""
from __future__ import annotations

import signal

from storage import migrate, outbox
from storage.clock import Clock
from storage.context import Context
from storage.db import Database
from bot.sandbox.fakeapi import FakeBotAPI
from bot.sender import Sender
from tests.support.delivery import bot_process, broadcast, got, stopped

TEXT = "全员学习"


async def _backlog(tmp_path, n: int) -> tuple[str, list[int]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tongxin.db'}"
    await migrate.upgrade(url)
    db = Database(url)
    chats = [800_000 + i for i in range(n)]
    await broadcast(db, Context(clock=Clock()), chats, "lesson:9", TEXT)
    await db.dispose()
    return url, chats


async def _uncertain(url: str) -> int:
    db = Database(url)
    try:
        async with db.session() as s:
            return await outbox.uncertain_total(s)
    finally:
        await db.dispose()


async def test_sigterm_with_a_4000_message_backlog_exits_quickly_with_no_duplicate(tmp_path):
    fake = FakeBotAPI(token="4243:delivery-sigterm")
    await fake.start()
    url, chats = await _backlog(tmp_path, 4000)
    settings = dict(DATABASE_URL=url, TONGXIN_RATE_PER_SECOND="300", TONGXIN_CHAT_INTERVAL="0")
    proc = await bot_process(fake, tmp_path, **settings)
    try:
        await fake.wait_for(lambda: sum(got(fake, chats[:1000], TEXT)) >= 300, 60)
        proc.send_signal(signal.SIGTERM)
        await stopped(proc, fake, 10)  # the bound the issue sets for a stop with a backlog
        assert proc.returncode == 0
        counts = got(fake, chats, TEXT)
        assert max(counts) == 1 and sum(counts) < 4000
        proc = await bot_process(fake, tmp_path, **settings)
        await fake.wait_for(lambda: min(got(fake, chats, TEXT)) == 1, 90)
        assert set(got(fake, chats, TEXT)) == {1}, "the rest went after the restart, nothing twice"
        assert await _uncertain(url) == 0
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            await stopped(proc, fake, 30)
        await fake.stop()


async def test_kill_9_mid_broadcast_loses_nothing_and_counts_what_may_have_gone_twice(tmp_path):
    fake = FakeBotAPI(token="4244:delivery-kill")
    await fake.start()
    url, chats = await _backlog(tmp_path, 1500)
    settings = dict(DATABASE_URL=url, TONGXIN_RATE_PER_SECOND="300", TONGXIN_CHAT_INTERVAL="0",
                    TONGXIN_OUTBOX_LEASE_SECONDS="2")
    proc = await bot_process(fake, tmp_path, **settings)
    try:
        await fake.wait_for(lambda: sum(got(fake, chats, TEXT)) >= 300, 60)
        proc.kill()
        await proc.wait()
        proc = await bot_process(fake, tmp_path, **settings)
        await fake.wait_for(lambda: min(got(fake, chats, TEXT)) >= 1, 90)
        counts = got(fake, chats, TEXT)
        duplicates = sum(n - 1 for n in counts)
        assert min(counts) == 1, "nothing lost"
        assert duplicates <= await _uncertain(url), "every possible duplicate is counted"
        assert duplicates <= Sender.WIRE, "at most the requests on the wire at the kill"
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            await stopped(proc, fake, 30)
        await fake.stop()
