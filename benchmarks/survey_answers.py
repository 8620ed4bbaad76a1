"""Survey answering: N members answer a 5-question survey through the fake Bot API, one button press per
question, each member waiting for the bot's reply before the next press.

    .venv/bin/python benchmarks/survey_answers.py [--members 300] [--users 200] [--database-url URL]

The default (300 members, 1,500 presses) stays under a minute; `--members 2000` is the full run of the issue
(10,000 presses, a few minutes, since the fake server, the simulated members and both bots share one process).

Prints updates processed per second and p50/p99 latency from the update being queued to the bot's edit
arriving, for the real bot (identity, rules, one transaction per press, edit + callback answer) and, in the
same run against the same server and load, for a bare python-telegram-bot bot that answers each callback
with one edit, and for one that also calls answerCallbackQuery (as every correct bot, ours included, must);
then the ratios (target >= 0.5). `--users` is how many members press at the same time.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bot  # noqa: E402,F401  (sets PTB options)
from sqlalchemy import func, insert, select  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, CallbackQueryHandler  # noqa: E402

from bot.app import Runtime  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.sandbox.fakeapi import FakeBotAPI  # noqa: E402
from storage import migrate, surveys  # noqa: E402
from storage.clock import Clock  # noqa: E402
from storage.models.org import Member  # noqa: E402
from storage.surveys import SurveyBallot, SurveyResponse  # noqa: E402
from storage.surveys import QuestionSpec  # noqa: E402

QUESTIONS = [QuestionSpec("rating", "总体满意度"), QuestionSpec("single", "最需要加强", ["教育", "关爱", "培训"]),
             QuestionSpec("rating", "活动满意度"), QuestionSpec("scale10", "推荐度"),
             QuestionSpec("rating", "回应及时")]
BASE_ID = 1_000_000


class TimedFake(FakeBotAPI):
    """The fake server, noting when each chat's message was last edited (the bot's reply to a press)."""

    def __init__(self):
        super().__init__()
        self.replied: dict[int, asyncio.Event] = {}

    async def api_editMessageText(self, p: dict):
        result = await super().api_editMessageText(p)
        event = self.replied.get(p.get("chat_id"))
        if event is not None:
            event.set()
        return result


async def press_and_wait(fake: TimedFake, user_id: int, message: dict, data: str, latencies: list[float]) -> None:
    event = fake.replied.setdefault(user_id, asyncio.Event())
    event.clear()
    started = time.perf_counter()
    await fake.press_data(user_id, message, data)
    await asyncio.wait_for(event.wait(), 60)
    latencies.append(time.perf_counter() - started)


def choose(message: dict) -> str:
    """An answer button of the current question (never Back)."""
    rows = message["reply_markup"]["inline_keyboard"]
    answers = [b["callback_data"] for row in rows for b in row if ":a" in b["callback_data"]]
    return random.choice(answers)


async def crowd(n: int, users: int, member_task) -> float:
    """Run `member_task(i)` for n members, `users` at a time; the wall time in seconds."""
    gate = asyncio.Semaphore(users)

    async def one(i):
        async with gate:
            await member_task(i)

    started = time.perf_counter()
    cpu, loop_cpu = time.process_time(), time.thread_time()
    await asyncio.gather(*(one(i) for i in range(n)))
    CPU["process"], CPU["loop"] = time.process_time() - cpu, time.thread_time() - loop_cpu
    return time.perf_counter() - started


CPU: dict[str, float] = {}  # the last crowd's CPU seconds: whole process, event-loop thread (measurement only)


def figures(label: str, presses: int, seconds: float, latencies: list[float], cpu: dict) -> float:
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    rate = presses / seconds
    print(f"{label:<26}{rate:8.0f} updates/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   ({presses} presses, "
          f"{seconds:.1f} s)")
    print(f"{'':<26}CPU {cpu['process'] / presses * 1000:5.2f} ms/press "
          f"(event loop {cpu['loop'] / presses * 1000:5.2f}), fake server and members included")
    return rate


async def main(n: int, users: int, database_url: str | None, profile: str | None = None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="tongxin-bench-"))
    url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
    await migrate.upgrade(url)
    fake = TimedFake()
    await fake.start()
    config = Config(token=fake.token, api_url=fake.base_url, database_url=url, data_dir=tmp,
                    secret=b"benchmark-secret-0123456789", rate_per_second=0, chat_interval=0, tick_seconds=3600,
                    quiet_start=0, quiet_end=0)
    runtime = Runtime(config, clock=Clock())
    await runtime.start(upgrade=False)
    try:
        async with runtime.db.session() as s:
            now = runtime.ctx.now()
            rows = [{"employee_no": f"S{i}", "name": f"员工{i}", "roles": "employee", "party_member": False,
                     "chat_id": BASE_ID + i, "telegram_user_id": BASE_ID + i, "language": "zh",
                     "reachable": True, "active": True, "created_at": now} for i in range(n)]
            for i in range(0, n, 2000):
                await s.execute(insert(Member), rows[i:i + 2000])
            for i in range(n):
                fake.user(BASE_ID + i, f"员工{i}")
        async with runtime.db.session() as s:
            survey = await surveys.publish(s, runtime.ctx, title="基准问卷", audience="all", questions=QUESTIONS)
        stats = await runtime.sender.drain()
        assert stats.sent == n, stats
        invitations = {BASE_ID + i: fake.messages(BASE_ID + i)[-1] for i in range(n)}

        # Everyone presses Start first (not measured: it warms the caches and the connection pool).
        async def start(i):
            uid = BASE_ID + i
            await press_and_wait(fake, uid, invitations[uid], f"svy:{survey.id}:start", [])

        await crowd(n, users, start)

        bot_latencies: list[float] = []

        async def answer(i):
            uid = BASE_ID + i
            message = invitations[uid]
            for _ in QUESTIONS:
                await press_and_wait(fake, uid, message, choose(message), bot_latencies)

        profiler = _start_profile(profile)
        bot_seconds = await crowd(n, users, answer)
        bot_cpu = dict(CPU)
        _stop_profile(profiler, profile)
        async with runtime.db.session() as s:
            # Anonymous submissions are sealed ballots until counted in a batch (storage.surveys.tally).
            responses = sum([(await s.execute(select(func.count()).select_from(table))).scalar_one()
                             for table in (SurveyResponse, SurveyBallot)])
        assert responses == n, responses
    finally:
        await runtime.stop()

    # The bare bots, same server, same chats, same load: one edit per callback, and the least a correct bot
    # does (Telegram clients show a spinner until the callback is answered): the edit and answerCallbackQuery.
    bare_seconds, bare_latencies = await bare_bot(fake, n, users, invitations, answer_query=False)
    bare_cpu = dict(CPU)
    answered_seconds, answered_latencies = await bare_bot(fake, n, users, invitations, answer_query=True)
    answered_cpu = dict(CPU)
    await fake.stop()

    presses = n * len(QUESTIONS)
    print(f"database:                 {url.split(':')[0]}")
    print(f"members:                  {n}  ({len(QUESTIONS)} questions, {users} pressing at once)")
    ours = figures("tongxin survey bot:", presses, bot_seconds, bot_latencies, bot_cpu)
    edit_only = figures("bare PTB, one edit:", presses, bare_seconds, bare_latencies, bare_cpu)
    edit_answer = figures("bare PTB, edit + answer:", presses, answered_seconds, answered_latencies, answered_cpu)
    print(f"ratio vs one edit:        {ours / edit_only:.2f}  (target >= 0.5)")
    print(f"ratio vs edit + answer:   {ours / edit_answer:.2f}  (the same two Bot API calls per press as ours)")


def _start_profile(path: str | None):
    """Measurement only: profile the whole process (fake server and members included) while ours runs.

    FILE.prof: cProfile stats (read with pstats, sort by tottime); anything else: a pyinstrument text tree.
    """
    if not path:
        return None
    if path.endswith(".prof"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        return profiler
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="disabled")
    profiler.start()
    return profiler


def _stop_profile(profiler, path: str | None) -> None:
    if profiler is None:
        return
    if path.endswith(".prof"):
        profiler.disable()
        profiler.dump_stats(path)
    else:
        profiler.stop()
        Path(path).write_text(profiler.output_text(unicode=True, show_all=False))
    print(f"profile of the tongxin run written to {path}")


async def bare_bot(fake: TimedFake, n: int, users: int, invitations: dict, *, answer_query: bool):
    """A python-telegram-bot Application with nothing but one callback handler; (seconds, latencies)."""
    count = {"n": 0}

    async def bare_edit(update: Update, context) -> None:
        count["n"] += 1
        await update.callback_query.edit_message_text(f"ok {count['n']}")
        if answer_query:
            await update.callback_query.answer()

    app = (ApplicationBuilder().token(fake.token).base_url(f"{fake.base_url}/bot").concurrent_updates(64)
           .connection_pool_size(64).pool_timeout(30).build())
    app.add_handler(CallbackQueryHandler(bare_edit))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(timeout=10, poll_interval=0.0)
    latencies: list[float] = []
    try:
        async def bare(i):
            uid = BASE_ID + i
            for k in range(len(QUESTIONS)):
                await press_and_wait(fake, uid, invitations[uid], f"x:{k}", latencies)

        seconds = await crowd(n, users, bare)
    finally:
        stopping = asyncio.create_task(app.updater.stop())
        while not stopping.done():
            await fake.release_polls()
            await asyncio.sleep(0.01)
        await app.stop()
        await app.shutdown()
    return seconds, latencies


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--users", type=int, default=200, help="members pressing at the same time")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", default=None, metavar="FILE",
                        help="profile the tongxin run (measurement only): FILE.prof gets cProfile stats, "
                             "any other name a pyinstrument tree")
    args = parser.parse_args()
    asyncio.run(main(args.members, args.users, args.database_url, args.profile))
