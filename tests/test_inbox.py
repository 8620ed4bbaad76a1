"""The update inbox: an update is recorded (sealed) before it is acknowledged, handled once, then erased;
bodies that are not updates are refused; one polling process per bot."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from bot.app import PollingTaken
from bot.sandbox.fakeapi import FakeBotAPI
from storage import inbox
from storage.db import Database
from storage.feedback import FeedbackTicket
from tests.support.botenv import ADMIN_ID, DEMO_ROSTER, BotEnv, make_config
from tests.support.feedback import configure, submit
from tests.support.postgres import free_port
from tests.support.webhook import SECRET, Relay, post


@pytest.fixture
async def hooked(sqlite_url, tmp_path, clock):
    """The bot in webhook mode, with Telegram's side relaying what people send to its webhook."""
    fake = FakeBotAPI()
    await fake.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg-hook"
    env = BotEnv(fake, make_config(fake, tmp_path, sqlite_url, webhook_url=url, webhook_secret=SECRET,
                                   http_port=port), clock)
    await env.start(upgrade=False)
    env.relay = Relay(fake, url).start()
    env.url = url
    yield env
    await env.relay.stop()
    await env.stop()
    await fake.stop()


def text_update(update_id: int, user_id: int, text: str) -> dict:
    return {"update_id": update_id,
            "message": {"message_id": update_id, "date": 1_700_000_000, "text": text,
                        "chat": {"id": user_id, "type": "private", "first_name": "W"},
                        "from": {"id": user_id, "is_bot": False, "first_name": "W", "language_code": "zh-hans"}}}


async def tickets(env) -> int:
    async with env.db.session() as s:
        return await s.scalar(select(func.count()).select_from(FeedbackTicket))


async def test_a_redelivered_update_is_acknowledged_and_changes_nothing(hooked):
    await hooked.import_roster(DEMO_ROSTER)
    await configure(hooked, routing={"hardship": ["生产部"], "dispute": ["生产部"]})
    wang = await hooked.join(102, "王芳", "1002")
    await submit(wang, "困难帮扶", "家里老人住院，想申请困难帮扶。")
    assert await tickets(hooked) == 1
    seen = len(wang.messages)

    # Telegram sends the last two updates again (the text, and the press that filed the ticket).
    for update in hooked.relay.delivered[-2:]:
        assert await post(hooked.url, update) == 200
    await wang.send("/help")  # something new after them, so anything they set off would have happened

    assert await tickets(hooked) == 1, "the ticket was filed twice"
    assert len(wang.messages) == seen + 1 and "/feedback" in wang.last["text"]


async def test_bodies_that_are_not_updates_answer_400_with_one_log_line(hooked, caplog):
    deep = {"update_id": 7, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
    node = deep["message"]
    for _ in range(200):
        node["reply_to_message"] = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}
        node = node["reply_to_message"]
    bodies = [b"\xff\xfe{}", b"[]", b'"x"', b"null", b"{not json", b"[" * 100_000 + b"]" * 100_000,
              {"update_id": 5, "message": {"message_id": 1, "date": 0, "text": "no chat"}},
              {"update_id": "5", "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}},
              {"message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}, deep]
    for body in bodies:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            assert await post(hooked.url, body) == 400, body if not isinstance(body, bytes) else body[:20]
        lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(lines) == 1 and lines[0].exc_info is None and "\n" not in lines[0].getMessage()
    assert await post(hooked.url, text_update(1, ADMIN_ID, "/help"), secret="wrong") == 403

    admin = hooked.admin()
    await admin.send("/help")
    assert "/roster" in admin.last["text"]
    async with hooked.db.session() as s:
        assert await inbox.counts(s) == {"handled": 1}


async def test_the_inbox_shows_no_typed_text_and_no_user_id(db, ctx, clock):
    secret_text, user_id = "食堂的饭菜太咸了，希望改进", 987654321
    short, long = text_update(11, user_id, secret_text), text_update(12, user_id, "长" * 2000)
    async with db.session() as s:
        fresh = await inbox.receive(s, ctx, [short, long, short])
    assert [u["update_id"] for u in fresh] == [11, 12]

    async def dump() -> list[tuple]:
        async with db.session() as s:
            return (await s.execute(text("SELECT * FROM inbox_updates"))).all()

    def leaks(rows) -> bool:
        needles = [secret_text.encode(), str(user_id).encode(), user_id.to_bytes(8, "big"),
                   user_id.to_bytes(8, "little")]
        for row in rows:
            for value in row:
                raw = value if isinstance(value, bytes) else str(value).encode()
                if any(n in raw for n in needles):
                    return True
        return False

    rows = await dump()
    assert not leaks(rows)
    sealed = {r.update_id: r.sealed for r in rows}
    assert len(sealed[11]) == len(sealed[12]), "the sealed size tells how long the text is"
    assert inbox.unseal(ctx, 11, sealed[11]) == short

    async with db.session() as s:
        assert await inbox.receive(s, ctx, [short]) == []  # a redelivery is ignored
        assert await inbox.take(s, 11) is True
    async with db.session() as s:
        assert await inbox.take(s, 11) is False  # handled already: the handler does nothing
        await inbox.finish(s, 12)
    rows = await dump()
    assert not leaks(rows) and all(r.sealed is None and r.lease_until is None for r in rows)
    assert {r.status for r in rows} == {"handled"}

    clock.advance(hours=47)
    async with db.session() as s:
        assert await inbox.prune(s, ctx) == 2
        assert await inbox.counts(s) == {}


async def test_an_update_taken_by_two_transactions_is_handled_by_one(pg_url, ctx):
    db = Database(pg_url)
    try:
        async with db.session() as s:
            await inbox.receive(s, ctx, [text_update(21, 5, "hello")])
        first_in = asyncio.Event()
        release = asyncio.Event()

        async def first():
            async with db.session() as s:
                took = await inbox.take(s, 21)
                first_in.set()
                await release.wait()
                return took

        async def second():
            await first_in.wait()
            async with db.session() as s:
                return await inbox.take(s, 21)

        a = asyncio.create_task(first())
        b = asyncio.create_task(second())
        await first_in.wait()
        await asyncio.sleep(0.2)
        assert not b.done(), "the second transaction should wait for the first one's row lock"
        release.set()
        assert (await a, await b) == (True, False)
    finally:
        await db.dispose()


async def test_a_pending_update_left_by_a_dead_process_is_claimed_after_its_lease(db, ctx, clock):
    async with db.session() as s:
        await inbox.receive(s, ctx, [text_update(31, 5, "hi")])
        assert await inbox.claim(s, ctx) == []  # leased to the process that received it
    clock.advance(seconds=inbox.LEASE.total_seconds() + 1)
    async with db.session() as s:
        assert [uid for uid, _ in await inbox.claim(s, ctx)] == [31]
        assert await inbox.claim(s, ctx) == []


async def test_a_second_polling_process_refuses_to_start_on_sqlite(sqlite_url, tmp_path, clock):
    await second_poller_refused(sqlite_url, tmp_path, clock)


async def test_a_second_polling_process_refuses_to_start_on_postgres(pg_url, tmp_path, clock):
    await second_poller_refused(pg_url, tmp_path, clock)


async def second_poller_refused(url, tmp_path, clock):
    fake = FakeBotAPI()
    await fake.start()
    first = BotEnv(fake, make_config(fake, tmp_path, url), clock)
    second = BotEnv(fake, make_config(fake, tmp_path, url), clock)
    await first.start(upgrade=False)
    try:
        with pytest.raises(PollingTaken, match="already polling"):
            await second.start(upgrade=False)
        second.runtime = None
        admin = first.admin()
        assert "/roster" in await admin.say("/help")
        await first.stop()
        await first.start(upgrade=False)  # a new process, now that the lock is free
        assert "/roster" in await admin.say("/help")
    finally:
        await first.stop()
        await fake.stop()
