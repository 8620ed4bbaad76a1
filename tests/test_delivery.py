"""Delivery under Telegram's limits, end to end through the fake Bot API enforcing them.

Rates are scaled up from Telegram's (30/s, 1/s per chat) so the suite stays short; the fake and the bot are
given the same limits, as an operator sets TONGXIN_RATE_PER_SECOND to what Telegram allows.
"""
from __future__ import annotations

import asyncio

import aiohttp

from bot.sandbox.fakeapi import FakeBotAPI
from tests.support.botenv import BotEnv, make_config
from tests.support.delivery import broadcast, crowd, got
from tests.support.postgres import free_port
from tests.support.tasks import cast, import_tasks

RATE, CHAT = 100, 0.3  # messages/s overall, seconds between two messages to one chat


async def _env(sqlite_url, tmp_path, clock, **config) -> BotEnv:
    fake = FakeBotAPI()
    await fake.start()
    env = BotEnv(fake, make_config(fake, tmp_path, sqlite_url, **config), clock, sender_loop=True)
    await env.start(upgrade=False)
    return env


async def _close(env: BotEnv) -> None:
    await env.stop()
    await env.fake.stop()


def _limits_on(env: BotEnv) -> None:
    env.fake.enforce_limits(RATE, CHAT)
    env.runtime.budget.per_second, env.runtime.budget.chat_interval = RATE, CHAT


async def test_replies_and_a_notice_get_through_a_600_member_lesson_within_the_limits(sqlite_url, tmp_path, clock):
    env = await _env(sqlite_url, tmp_path, clock)
    try:
        c = await cast(env)
        await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-06,")
        await env.tick()  # the assignment reaches 王芳
        await c.wang.press("完成")
        chats = await crowd(env.db, env.ctx, 600)
        _limits_on(env)
        await broadcast(env.db, env.ctx, chats, "lesson:1", "本周微党课")
        await env.fake.wait_for(lambda: sum(got(env.fake, chats[:60], "本周微党课")) >= 30, 30)

        # Mid-broadcast: five people ask the bot something, and 王芳 reports her task done.
        people = [c.zhang, c.li, c.liu, c.admin, c.wang]
        asked = [len(p.messages) for p in people]
        await asyncio.gather(*(p.send("/help") for p in people[:4]))
        assert "报告任务 [T-1] 安全培训 完成" in await c.wang.say("全部完成，签到表已存档")
        await env.fake.wait_for(lambda: any("报告任务已完成" in t for t in c.zhang.texts()), 30)
        notice_at = max(t for t, _, chat in env.fake.accepted if chat == c.zhang.id)

        await env.fake.wait_for(lambda: all(n == 1 for n in got(env.fake, chats, "本周微党课")), 60)
        lesson_times = [t for t, _, chat in env.fake.accepted if chat in set(chats)]
        assert notice_at < max(lesson_times), "the secretary was told while the lesson was still going out"
        assert all(len(p.messages) > n for p, n in zip(people, asked)), "every reply arrived"
        assert env.fake.throttled == 0
        assert env.fake.peak_per_second(env.fake.limits_since) <= RATE
        assert env.fake.min_chat_gap(env.fake.limits_since) >= CHAT - env.fake.limits.tolerance
    finally:
        await _close(env)


async def test_a_direct_reply_refused_with_429_arrives_after_retry_after_and_nothing_goes_in_between(
        sqlite_url, tmp_path, clock):
    env = await _env(sqlite_url, tmp_path, clock)
    try:
        c = await cast(env)
        chats = await crowd(env.db, env.ctx, 150)
        _limits_on(env)
        await broadcast(env.db, env.ctx, chats, "lesson:2", "课程")  # keeps the bot busy meanwhile
        await env.fake.wait_for(lambda: sum(got(env.fake, chats, "课程")) >= 20, 30)
        env.fake.fail("sendMessage", 429, chat_id=c.li.id, retry_after=1)
        replies = await c.li.send("/help")
        assert replies, "the refused reply was asked again, not dropped"
        [(refused_at, *_)] = [r for r in env.fake.refused if r[3] == 429]
        # A request already on the wire when the 429 was answered may still land just after it (the fake's
        # network tolerance); nothing the bot sends after hearing the 429 lands before retry_after is over.
        on_wire = env.fake.limits.tolerance
        after = [t for t, _, _ in env.fake.accepted if t > refused_at + on_wire]
        assert after[0] - refused_at >= 1.0, "the whole bot paused for retry_after"
        await env.fake.wait_for(lambda: all(n == 1 for n in got(env.fake, chats, "课程")), 60)
        assert env.fake.throttled == 1  # the injected one only
    finally:
        await _close(env)


async def test_metrics_and_health_show_sends_by_lane_and_the_backlog(sqlite_url, tmp_path, clock):
    port = free_port()
    env = await _env(sqlite_url, tmp_path, clock, http_port=port)
    try:
        c = await cast(env)
        chats = await crowd(env.db, env.ctx, 5)
        await broadcast(env.db, env.ctx, chats, "lesson:3", "指标")
        await env.fake.wait_for(lambda: all(n == 1 for n in got(env.fake, chats, "指标")), 30)
        await env.tick()
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/metrics") as r:
                assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain")
                text = await r.text()
            async with http.get(f"http://127.0.0.1:{port}/health") as r:
                health = await r.json()
        assert 'tongxin_messages_sent_total{lane="broadcast"} 5.0' in text
        assert 'tongxin_messages_sent_total{lane="reply"}' in text and "tongxin_reply_latency_seconds_bucket" in text
        assert 'tongxin_outbox_backlog{lane="broadcast"} 0.0' in text
        assert "tongxin_telegram_429_total 0.0" in text and "tongxin_tick_duration_seconds_count 1.0" in text
        assert health["outbox_backlog"] == {} and health["last_tick_age_seconds"] is not None
        assert c.admin.messages
    finally:
        await _close(env)
