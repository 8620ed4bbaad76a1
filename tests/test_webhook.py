"""Webhook mode (the multi-replica deployment): secret checked, updates handled; /health; the tick job."""
from __future__ import annotations

import asyncio

import aiohttp
from sqlalchemy import select

from bot.sandbox.fakeapi import FakeBotAPI
from storage import outbox
from storage.models.org import Member
from tests.support.botenv import ADMIN_ID, BotEnv, make_config
from tests.support.postgres import free_port


async def test_webhook_checks_the_secret_and_handles_updates(sqlite_url, tmp_path, clock):
    fake = FakeBotAPI()
    await fake.start()
    port = free_port()
    cfg = make_config(fake, tmp_path, sqlite_url, webhook_url=f"http://127.0.0.1:{port}/tg-hook",
                      webhook_secret="s3cret-token", http_port=port)
    env = BotEnv(fake, cfg, clock)
    await env.start(upgrade=False)
    try:
        assert fake.webhook["url"] == f"http://127.0.0.1:{port}/tg-hook"
        assert fake.webhook["secret_token"] == "s3cret-token"
        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "/help",
                                              "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                                              "chat": {"id": ADMIN_ID, "type": "private"},
                                              "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "A"}}}
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/tg-hook"
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as r:
                assert r.status == 403
            async with http.post(url, json=update) as r:
                assert r.status == 403
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}) as r:
                assert r.status == 200
            await fake.wait_for(lambda: fake.messages(ADMIN_ID))
            assert "/roster" in fake.messages(ADMIN_ID)[0]["text"]
            assert len(fake.messages(ADMIN_ID)) == 1
            async with http.get(f"http://127.0.0.1:{port}/health") as r:
                body = await r.json()
                assert r.status == 200 and body["database"] is True and body["updates_handled"] == 1
    finally:
        await env.stop()
        await fake.stop()


async def test_the_scheduler_ticks_by_itself_and_sends_the_outbox(sqlite_url, tmp_path, clock):
    fake = FakeBotAPI()
    await fake.start()
    env = BotEnv(fake, make_config(fake, tmp_path, sqlite_url, tick_seconds=0.2), clock, sender_loop=True)
    await env.start(upgrade=False)
    try:
        admin = env.admin()
        await admin.send("/help")
        async with env.db.session() as s:
            me = (await s.execute(select(Member).where(Member.telegram_user_id == ADMIN_ID))).scalar_one()
            await outbox.to_member(s, env.ctx, me, key="sched:1", messages=[outbox.message("定时送达")])
        env.runtime.start_scheduler()
        await asyncio.wait_for(fake.wait_for(lambda: "定时送达" in admin.texts()), 10)
    finally:
        await env.stop()
        await fake.stop()


async def test_stopping_lets_a_running_tick_finish(env):
    from storage.producers import PRODUCERS, producer

    started, finished = asyncio.Event(), []

    @producer("test.slow")
    async def slow(session, ctx):
        started.set()
        await asyncio.sleep(0.3)
        finished.append(True)
        return 0

    try:
        env.runtime.start_scheduler()
        await asyncio.wait_for(started.wait(), 10)
        await env.stop()
        assert finished == [True], "the tick was cut off by the shutdown"
    finally:
        PRODUCERS.pop("test.slow", None)

