"""On a real PostgreSQL: two replicas open a survey and remind together, and submit the same member at once."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from sqlalchemy import func, select

from storage import producers, roster, surveys
from storage.clock import FrozenClock
from storage.context import Context
from storage.db import Database
from storage.errors import Refused
from storage.models.org import Member
from storage.models.outbox import Outbox
from storage.surveys import SurveyBallot, SurveyCompletion
from storage.surveys import QuestionSpec
from tests.support.botenv import DEFAULT_NOW

CLOSES = datetime(2026, 12, 10, 15, 59, tzinfo=timezone.utc)
ROSTER = "employee_no,name,department\n" + "".join(f"{2000 + i},员工{i},生产部\n" for i in range(40))


async def test_two_replicas_ask_and_remind_each_member_once_and_submit_once(pg_url):
    producers.load_features()
    clock = FrozenClock(DEFAULT_NOW)
    first, second = Database(pg_url), Database(pg_url)
    ctx1, ctx2 = Context(clock=clock), Context(clock=clock)
    try:
        async with first.session() as s:
            await roster.apply(s, ctx1, roster.check(ROSTER.encode(), "r.csv"))
            for m in (await s.execute(select(Member))).scalars():
                m.chat_id = m.telegram_user_id = 70_000 + m.id
            await s.flush()
            await surveys.publish(s, ctx1, title="并发", audience="all", closes_at=CLOSES,
                                  opens_at=datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc),
                                  questions=[QuestionSpec("rating", "打分")])
        clock.set(datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc))
        await asyncio.gather(producers.run_all(first, ctx1), producers.run_all(second, ctx2))
        clock.set(datetime(2026, 12, 6, 2, 0, tzinfo=timezone.utc))
        await asyncio.gather(producers.run_all(first, ctx1), producers.run_all(second, ctx2))
        async with first.session() as s:
            kinds = dict((await s.execute(select(Outbox.kind, func.count()).where(Outbox.kind.like("survey.%"))
                                          .group_by(Outbox.kind))).all())
            assert kinds == {"survey.invite": 40, "survey.reminder": 40}
            assert (await s.execute(select(func.count()).select_from(SurveyCompletion))).scalar_one() == 40
            member = (await s.execute(select(Member).order_by(Member.id))).scalars().first()
            screen = await surveys.start(s, ctx1, member, 1)
            qid = screen.question.id

        async def submit(db, ctx):
            async with db.session() as s:
                m = await s.get(Member, member.id)
                try:
                    await surveys.press(s, ctx, m, 1, f"a{qid}.4")
                    return "submitted"
                except Refused as exc:
                    return exc.template

        outcomes = await asyncio.gather(submit(first, ctx1), submit(second, ctx2))
        assert sorted(outcomes) == ["submitted", "survey_already_done"]
        async with first.session() as s:
            assert (await s.execute(select(func.count()).select_from(SurveyBallot))).scalar_one() == 1
    finally:
        await first.dispose()
        await second.dispose()


async def test_ballots_are_counted_once_in_one_batch_that_shares_no_transaction_with_a_completion(pg_url):
    from sqlalchemy import text

    from storage.surveys import tally as surveys_tally
    from storage.surveys import Survey, SurveyResponse

    producers.load_features()
    clock = FrozenClock(DEFAULT_NOW)
    first, second = Database(pg_url), Database(pg_url)
    ctx1, ctx2 = Context(clock=clock), Context(clock=clock)
    try:
        async with first.session() as s:
            await roster.apply(s, ctx1, roster.check(ROSTER.encode(), "r.csv"))
            survey = await surveys.publish(s, ctx1, title="批量", audience="all", closes_at=CLOSES,
                                           questions=[QuestionSpec("rating", "打分")])
            survey_id = survey.id
            ids = list((await s.execute(select(Member.id).order_by(Member.id).limit(6))).scalars())
        for i, member_id in enumerate(ids):  # each submits in its own transaction
            async with first.session() as s:
                m = await s.get(Member, member_id)
                screen = await surveys.start(s, ctx1, m, survey_id)
                await surveys.press(s, ctx1, m, survey_id, f"a{screen.question.id}.{1 + i % 5}")

        async def count(db, ctx):
            async with db.session() as s:
                return await surveys_tally.tally(s, ctx, await s.get(Survey, survey_id))

        assert sorted(await asyncio.gather(count(first, ctx1), count(second, ctx2))) == [0, 6]
        async with first.session() as s:
            assert (await s.execute(select(func.count()).select_from(SurveyResponse))).scalar_one() == 6
            assert (await s.execute(select(func.count()).select_from(SurveyBallot))).scalar_one() == 0
            written = set((await s.execute(text("SELECT xmin::text FROM survey_responses"))).scalars())
            done = set((await s.execute(text("SELECT xmin::text FROM survey_completions WHERE done"))).scalars())
        assert len(written) == 1 and len(done) == 6 and not written & done
    finally:
        await first.dispose()
        await second.dispose()
