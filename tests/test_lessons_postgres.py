"""On a real PostgreSQL: two replicas publish, remind and send one lesson together; each member gets it once,
and learning, the quiz, points and the coverage figures work there too; concurrent awards keep the daily
cap and concurrent quiz starts open one attempt."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, select
from telegram import Bot

from bot.sandbox.fakeapi import FakeBotAPI
from bot.sender import Sender
from storage import lessons
from storage.clock import FrozenClock
from storage.context import Context
from storage.db import Database
from storage.lessons import parse
from storage.lessons import LessonPoints, QuizAttempt
from storage.models.org import Member
from tests.support.botenv import DEFAULT_NOW
from tests.support.lessons import LESSON_MD


async def test_two_replicas_publish_remind_and_send_each_lesson_once(pg_url):
    fake = FakeBotAPI()
    await fake.start()
    clock = FrozenClock(DEFAULT_NOW)
    replicas = []
    for _ in range(2):
        db, ctx = Database(pg_url), Context(clock=clock)
        bot = Bot(token=fake.token, base_url=f"{fake.base_url}/bot")
        await bot.initialize()
        replicas.append((db, ctx, bot, Sender(bot, db, ctx, per_second=0, chat_interval=0, batch=20)))
    db, ctx = replicas[0][0], replicas[0][1]
    try:
        async with db.session() as s:
            s.add_all([Member(employee_no=f"E{i}", name=f"党员{i}", roles="employee", party_member=True,
                              chat_id=20_000 + i, telegram_user_id=20_000 + i, created_at=clock.now())
                       for i in range(300)])
        async with db.session() as s:
            lesson = await lessons.create(s, ctx, parse(LESSON_MD), audience="party", min_read=0,
                                          due_on=date(2026, 12, 9))

        async def produce(replica, producer):
            async with replica[0].session() as s:
                return await producer(s, replica[1])

        written = await asyncio.gather(*(produce(r, lessons.publish_due) for r in replicas))
        assert sorted(written) == [0, 300], "one replica publishes, the other finds it taken"
        await asyncio.gather(*(r[3].drain() for r in replicas))
        per_chat = Counter(c[1]["chat_id"] for c in fake.calls if c[0] == "sendMessage")
        assert len(per_chat) == 300 and set(per_chat.values()) == {1}

        async with db.session() as s:
            member = (await s.execute(select(Member).where(Member.employee_no == "E7"))).scalar_one()
            assert (await lessons.mark_learned(s, ctx, member, lesson.id)).points == 5
            other = (await s.execute(select(Member).where(Member.employee_no == "E8"))).scalar_one()
            view = await lessons.start_quiz(s, ctx, other, lesson.id)
            for position, option in enumerate((1, 0, 0)):
                done = await lessons.answer(s, ctx, other, view.attempt_id, position, option)
            assert done.result.passed and done.result.points == 5 + 6 + 5

        clock.advance(days=2)
        reminded = await asyncio.gather(*(produce(r, lessons.remind) for r in replicas))
        assert sum(reminded) == 298
        await asyncio.gather(*(r[3].drain() for r in replicas))
        per_chat = Counter(c[1]["chat_id"] for c in fake.calls if c[0] == "sendMessage")
        assert set(per_chat.values()) == {1, 2} and Counter(per_chat.values())[2] == 298

        async with db.session() as s:
            figures = await lessons.kpi_figures(s, ctx, unit_ids=None, start=DEFAULT_NOW - timedelta(days=1),
                                                    end=DEFAULT_NOW + timedelta(days=1))
        assert figures == {"lessons_published": 1, "audience": 300, "learned": 2, "coverage": 2 / 300,
                           "avg_score": 100.0}
        async with db.session() as s:
            breakdown = await lessons.lesson_figures(s, lesson.id)
        assert breakdown.delivered == 300
    finally:
        for r in replicas:
            await r[2].shutdown()
            await r[0].dispose()
        await fake.stop()


async def test_two_awards_at_once_never_pay_past_the_daily_cap(pg_url):
    """Two replicas crediting the same member at the same moment: the cap holds (the member row serialises)."""
    clock = FrozenClock(DEFAULT_NOW)
    replicas = [(Database(pg_url), Context(clock=clock)) for _ in range(2)]
    db, ctx = replicas[0]
    try:
        async with db.session() as s:
            member = Member(employee_no="E1", name="党员", roles="employee", created_at=clock.now())
            s.add(member)
            await s.flush()
            ids = []
            for _ in range(5):
                lesson = await lessons.create(s, ctx, parse(LESSON_MD), audience="all", min_read=0)
                ids.append(lesson.id)
            member_id = member.id
        async with db.session() as s:
            for lesson_id in ids[:3]:  # 15 of the day's 20 already earned
                await lessons.award(s, ctx, member_id, lesson_id, "learned", 5)

        async def award(replica, lesson_id):
            async with replica[0].session() as s:
                credited = await lessons.award(s, replica[1], member_id, lesson_id, "learned", 5)
                await asyncio.sleep(0.05)  # hold the transaction open, as a slower request would
                return credited

        credited = await asyncio.gather(*(award(r, i) for r, i in zip(replicas, ids[3:5])))
        assert sorted(credited) == [0, 5]
        async with db.session() as s:
            total = (await s.execute(select(func.sum(LessonPoints.points))
                                     .where(LessonPoints.member_id == member_id))).scalar_one()
        assert total == lessons.DAILY_CAP
    finally:
        for database, _ in replicas:
            await database.dispose()


async def test_two_quiz_starts_at_once_open_one_attempt(pg_url):
    """Two quick presses of "take the quiz" landing on two replicas resume one attempt."""
    clock = FrozenClock(DEFAULT_NOW)
    replicas = [(Database(pg_url), Context(clock=clock)) for _ in range(2)]
    db, ctx = replicas[0]
    try:
        async with db.session() as s:
            s.add(Member(employee_no="E1", name="党员", roles="employee", chat_id=1, telegram_user_id=1,
                         created_at=clock.now()))
        async with db.session() as s:
            lesson = await lessons.create(s, ctx, parse(LESSON_MD), audience="all", min_read=0)
        async with db.session() as s:
            await lessons.publish_due(s, ctx)

        async def start(replica):
            async with replica[0].session() as s:
                member = (await s.execute(select(Member))).scalar_one()
                view = await lessons.start_quiz(s, replica[1], member, lesson.id)
                await asyncio.sleep(0.05)
                return view.attempt_id

        ids = await asyncio.gather(*(start(r) for r in replicas))
        assert ids[0] == ids[1]
        async with db.session() as s:
            assert (await s.execute(select(func.count()).select_from(QuizAttempt))).scalar_one() == 1
    finally:
        for database, _ in replicas:
            await database.dispose()
