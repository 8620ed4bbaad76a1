"""The bot as an operator runs it, killed with -9 and started again: every update it received is handled,
none twice; a second poller refuses to start; a bot and CLI commands migrating an empty database together."""
from __future__ import annotations

import asyncio
import re
from collections import Counter

from sqlalchemy import text

from bot.sandbox.fakeapi import ApiError, FakeBotAPI
from storage import inbox
from storage.db import Database
from tests.support import botprocess
from tests.support.postgres import free_port
from tests.support.webhook import SECRET, Relay

UPDATES = 300
# At most this many updates are between their commit and their reply when the process dies (the
# processor's concurrency): their replies are lost with it, their changes are not, and none is repeated.
IN_FLIGHT = 64
USERS = [700_000 + i for i in range(UPDATES)]


async def inbox_counts(url: str) -> dict[str, int]:
    db = Database(url)
    try:
        async with db.session() as s:
            return await inbox.counts(s)
    finally:
        await db.dispose()


async def until(predicate, timeout: float) -> None:
    """Poll a predicate (plain or async); `timeout` is a generous bound, not a measurement."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        done = predicate()
        if asyncio.iscoroutine(done):
            done = await done
        if done:
            return
        assert loop.time() < deadline, "gave up waiting"
        await asyncio.sleep(0.05)


async def everyone_says_help(fake) -> None:
    for uid in USERS:
        fake.user(uid, f"U{uid}", "en")
        await fake.send_text(uid, "/help")


def replies(fake) -> Counter:
    return Counter({uid: len(fake.messages(uid)) for uid in USERS})


def hold_replies_after(fake, allowed: int):
    """Telegram's side answers the first `allowed` replies, then holds the rest (as a slow network would),
    so the process dies with updates recorded and not yet handled. Returns the undo."""
    original = fake.api_sendMessage
    seen = []
    gone = asyncio.Event()

    async def held(params):
        seen.append(1)
        if len(seen) > allowed:
            await gone.wait()
            raise ApiError(500, "the caller is gone")  # never delivered: these die with the process
        return await original(params)

    def undo():
        fake.api_sendMessage = original
        gone.set()

    fake.api_sendMessage = held
    return undo


async def all_handled_none_twice(fake, url: str) -> None:
    await until(lambda: _all_handled(url), 120)
    await fake.wait_for(lambda: sum(1 for n in replies(fake).values() if n) >= UPDATES - IN_FLIGHT, 60)
    assert max(replies(fake).values()) == 1, "an update was handled twice"
    # A new update after the restart is answered: the process is up (and past its start-up).
    fake.user(31337, "Operator", "en")
    await fake.send_text(31337, "/help")
    await fake.wait_for(lambda: fake.messages(31337), 60)
    assert max(replies(fake).values()) == 1, "an update was handled twice"


async def _all_handled(url: str) -> bool:
    return await inbox_counts(url) == {"handled": UPDATES}


async def _some_recorded(url: str) -> bool:
    return (await inbox_counts(url)).get("pending", 0) > 100


def admins() -> str:
    return ",".join(map(str, [*USERS, 31337]))


async def test_webhook_300_updates_kill_9_restart_all_handled_none_twice(tmp_path):
    fake = FakeBotAPI(token="4242:crash-webhook")
    await fake.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg-hook"
    env = botprocess.environment(fake, tmp_path, TONGXIN_ADMINS=admins(), WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET,
                                 TONGXIN_HTTP_PORT=str(port))
    database = f"sqlite+aiosqlite:///{tmp_path / 'tongxin.db'}"
    proc = await botprocess.spawn(env)
    relay = Relay(fake, url).start()
    try:
        await until(lambda: fake.webhook, 60)  # the relay waits on the fake meanwhile; poll, do not wait on it
        undo = hold_replies_after(fake, 50)
        await everyone_says_help(fake)
        await until(lambda: len(relay.delivered) == UPDATES, 120)  # all answered 200
        await botprocess.kill9(proc)
        assert (await inbox_counts(database)).get("pending", 0) >= UPDATES - 50 - IN_FLIGHT
        undo()

        proc = await botprocess.spawn(env)
        await all_handled_none_twice(fake, database)
        assert len(relay.delivered) == UPDATES + 1 and not fake.pending
        proc.terminate()
        code, err = await botprocess.finish(proc, fake)
        assert code == 0, err
    finally:
        await relay.stop()
        await botprocess.kill9(proc)
        await fake.stop()


async def test_polling_300_updates_kill_9_restart_all_handled_none_twice(tmp_path, pg_url):
    fake = FakeBotAPI(token="4243:crash-polling")
    await fake.start()
    env = botprocess.environment(fake, tmp_path, TONGXIN_ADMINS=admins(), DATABASE_URL=pg_url)
    await everyone_says_help(fake)
    undo = hold_replies_after(fake, 50)
    proc = await botprocess.spawn(env)
    try:
        # Killed once it is stuck answering: updates fetched, some recorded and acknowledged, few handled.
        await until(lambda: _some_recorded(pg_url), 60)
        await botprocess.kill9(proc)
        undo()

        proc = await botprocess.spawn(env)
        await all_handled_none_twice(fake, pg_url)
        proc.terminate()
        code, err = await botprocess.finish(proc, fake)
        assert code == 0, err
    finally:
        await botprocess.kill9(proc)
        await fake.stop()


async def test_a_second_polling_process_exits_with_a_one_line_reason(tmp_path):
    fake = FakeBotAPI(token="4244:two-pollers")
    await fake.start()
    env = botprocess.environment(fake, tmp_path, TONGXIN_ADMINS="31337")
    first = await botprocess.spawn(env)
    try:
        fake.user(31337, "Operator", "en")
        await fake.send_text(31337, "/help")
        await fake.wait_for(lambda: fake.messages(31337), 60)

        second = await botprocess.spawn(env)
        code, err = await botprocess.finish(second, fake)
        assert code != 0
        assert err.strip().splitlines() == [err.strip()] and "already polling" in err, err
        assert "Traceback" not in err

        await fake.send_text(31337, "/help")  # the first one keeps working
        await fake.wait_for(lambda: len(fake.messages(31337)) == 2, 60)
        first.terminate()
        code, err = await botprocess.finish(first, fake)
        assert code == 0, err
    finally:
        await botprocess.kill9(first)
        await fake.stop()


async def test_a_bot_and_cli_commands_upgrading_an_empty_postgres_together_all_succeed(tmp_path, pg_cluster):
    url = await pg_cluster.create_database()
    fake = FakeBotAPI(token="4245:migrate-together")
    await fake.start()
    env = botprocess.environment(fake, tmp_path, TONGXIN_ADMINS="31337", DATABASE_URL=url)
    bot = await botprocess.spawn(env)
    clis = [await botprocess.spawn(env, "db", "upgrade") for _ in range(3)]
    try:
        for cli in clis:
            code, err = await botprocess.finish(cli, fake)
            assert code == 0, err
        fake.user(31337, "Operator", "en")
        await fake.send_text(31337, "/help")
        try:
            await fake.wait_for(lambda: fake.messages(31337), 60)
        except TimeoutError:  # say why: the bot's own log (it once stayed silent under a loaded machine)
            bot.terminate()
            code, err = await botprocess.finish(bot, fake, timeout=20)
            raise AssertionError(f"no answer to /help within 60 s; the bot exited {code}:\n{err[-4000:]}") from None
        bot.terminate()
        code, err = await botprocess.finish(bot, fake)
        assert code == 0, err
        assert not re.search(r"duplicate key|Traceback", err), err
        db = Database(url)
        try:
            async with db.session() as s:
                assert await s.scalar(text("SELECT count(*) FROM alembic_version")) == 1
        finally:
            await db.dispose()
    finally:
        await botprocess.kill9(bot)
        for cli in clis:
            await botprocess.kill9(cli)
        await fake.stop()
