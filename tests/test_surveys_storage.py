"""The survey rules without the chat: KPI figures, reminder times, and the built-in questionnaires."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from storage import roster, surveys
from storage.models.org import Member, Unit
from storage.surveys import QuestionSpec, builtin
from tests.support.botenv import DEMO_ROSTER

CLOSES = datetime(2026, 12, 10, 15, 59, tzinfo=timezone.utc)


async def _setup(db, ctx):
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(DEMO_ROSTER.encode(), "r.csv"))
        people = {m.employee_no: m.id for m in (await s.execute(select(Member))).scalars()}
        units = {u.name: u.id for u in (await s.execute(select(Unit))).scalars()}
    return people, units


async def _answer(db, ctx, member_id: int, survey_id: int, *values: int) -> None:
    async with db.session() as s:
        member = await s.get(Member, member_id)
        screen = await surveys.start(s, ctx, member, survey_id)
        for v in values:
            screen = await surveys.press(s, ctx, member, survey_id, f"a{screen.question.id}.{v}")
        assert screen.submitted


async def test_kpi_figures_count_closed_surveys_response_rate_and_satisfaction_of_big_enough_groups(db, ctx, clock):
    people, units = await _setup(db, ctx)
    async with db.session() as s:
        pulse = await surveys.publish(s, ctx, title="满意度", audience="all", closes_at=CLOSES, min_group_size=3,
                                      tag="satisfaction", questions=[QuestionSpec("rating", "满意吗"),
                                                                     QuestionSpec("rating", "还满意吗")])
        other = await surveys.publish(s, ctx, title="食堂", audience="unit:生产部", closes_at=CLOSES,
                                      min_group_size=3, questions=[QuestionSpec("rating", "食堂")])
    for no, score in (("1001", 5), ("1002", 4), ("1003", 3), ("1004", 1), ("1005", 1)):
        await _answer(db, ctx, people[no], pulse.id, score, score)
    await _answer(db, ctx, people["1001"], other.id, 1)
    period = dict(start=datetime(2026, 12, 1, tzinfo=timezone.utc), end=datetime(2027, 1, 1, tzinfo=timezone.utc))

    async with db.session() as s:
        open_now = await surveys.kpi_figures(s, ctx, unit_ids=None, **period)
    assert open_now == {"surveys_closed": 0, "response_rate": None, "satisfaction_avg": None}

    clock.set(CLOSES + timedelta(minutes=1))
    async with db.session() as s:
        everyone = await surveys.kpi_figures(s, ctx, unit_ids=None, **period)
        production = await surveys.kpi_figures(s, ctx, unit_ids={units["生产部"]}, **period)
        finance = await surveys.kpi_figures(s, ctx, unit_ids={units["财务部"]}, **period)
        december = await surveys.kpi_figures(s, ctx, unit_ids=None, start=period["start"],
                                                     end=datetime(2026, 12, 10, tzinfo=timezone.utc))
    assert everyone["surveys_closed"] == 2
    assert everyone["response_rate"] == (5 + 1) / (7 + 3)
    assert everyone["satisfaction_avg"] == (5 + 4 + 3 + 1 + 1) / 5  # the whole survey is one group of 5
    assert production == {"surveys_closed": 2, "response_rate": 4 / 6, "satisfaction_avg": 4.0}
    # 财务部 gave 2 answers: under the minimum group of 3, so no satisfaction figure for it.
    assert finance == {"surveys_closed": 1, "response_rate": 2 / 3, "satisfaction_avg": None}
    assert december["surveys_closed"] == 0


async def test_reminder_times_spread_to_the_day_before_closing(db, ctx):
    await _setup(db, ctx)
    async with db.session() as s:
        week = await surveys.publish(s, ctx, title="一周", audience="all", closes_at=CLOSES,
                                     questions=[QuestionSpec("rating", "满意吗")])
        short = await surveys.publish(s, ctx, title="一天", audience="all",
                                      closes_at=ctx.now() + timedelta(hours=30),
                                      questions=[QuestionSpec("rating", "满意吗")])
        once = await surveys.publish(s, ctx, title="一次", audience="all", closes_at=CLOSES, reminders=1,
                                     last_reminder_days_before=2, questions=[QuestionSpec("rating", "满意吗")])
    local = [t.astimezone(ctx.tz).strftime("%m-%d %H:%M") for t in surveys.reminder_times(week, ctx)]
    assert local == ["12-06 10:00", "12-09 10:00"]
    assert [t.astimezone(ctx.tz).strftime("%m-%d %H:%M") for t in surveys.reminder_times(once, ctx)] == ["12-08 10:00"]
    assert surveys.reminder_times(short, ctx) == []  # too short for a reminder 24 h after opening


async def test_builtin_questionnaires_in_both_languages():
    title, tag, questions = builtin("satisfaction", "zh")
    assert tag == "satisfaction" and len(questions) == 5 and title == "党群工作满意度调查"
    assert [q.kind for q in questions] == ["rating", "rating", "rating", "single", "text"]
    assert not questions[-1].required and len(questions[3].options) == 5
    title, tag, questions = builtin("enps", "en")
    assert tag == "enps" and [q.kind for q in questions] == ["scale10"] and "recommend" in questions[0].text


async def test_enps_is_promoters_minus_detractors_and_averages_use_every_answer(db, ctx, clock):
    people, _ = await _setup(db, ctx)
    async with db.session() as s:
        survey = await surveys.publish(s, ctx, title="推荐度", audience="all", closes_at=CLOSES, min_group_size=3,
                                       questions=[QuestionSpec("scale10", "推荐吗"),
                                                  QuestionSpec("rating", "满意吗")])
    for no, nps, rating in (("1001", 10, 5), ("1002", 10, 4), ("1003", 9, 4), ("1004", 7, 3), ("1005", 2, 1)):
        await _answer(db, ctx, people[no], survey.id, nps, rating)
    clock.set(CLOSES)
    async with db.session() as s:
        rep = await surveys.report(s, ctx, await s.get(surveys.Survey, survey.id))
    nps, rating = rep.questions
    assert (nps.promoters, nps.passives, nps.detractors, nps.enps) == (3, 1, 1, 40)
    assert nps.average == 38 / 5 and [c.count for c in nps.options] == [0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 2]
    assert rating.average == 17 / 5 and rating.enps is None
    assert "员工推荐值：40" in "\n".join(surveys.render_report("zh", rep, ctx))


async def test_the_results_base_is_the_registered_members_asked_and_late_joiners_are_invited_once(db, ctx, clock):
    from storage.models.outbox import Outbox
    from storage.surveys.jobs import invite_late_joiners

    people, _ = await _setup(db, ctx)
    async with db.session() as s:
        for no, chat in (("1001", 11), ("1002", 12)):
            m = await s.get(Member, people[no])
            m.telegram_user_id, m.chat_id, m.linked_at = chat, chat, ctx.now()
        survey = await surveys.publish(s, ctx, title="食堂", audience="unit:生产部",
                                       questions=[QuestionSpec("rating", "打分")], min_group_size=3)
    async with db.session() as s:
        rep = await surveys.report(s, ctx, await s.get(type(survey), survey.id))
    assert (rep.invited, rep.done, rep.unregistered) == (2, 0, 1)  # 李强 (1003) never registered

    clock.advance(hours=1)
    async with db.session() as s:
        li = await s.get(Member, people["1003"])
        li.telegram_user_id, li.chat_id, li.linked_at = 13, 13, ctx.now()
    for _ in range(2):  # a second tick finds nobody left to invite
        async with db.session() as s:
            assert await invite_late_joiners(s, ctx) == (1 if _ == 0 else 0)
    async with db.session() as s:
        keys = (await s.execute(select(Outbox.dedupe_key).where(Outbox.kind == "survey.invite")
                                .order_by(Outbox.id))).scalars().all()
        rep = await surveys.report(s, ctx, await s.get(type(survey), survey.id))
    assert keys == [f"survey:{survey.id}:invite:{people[n]}" for n in ("1001", "1002", "1003")]
    assert (rep.invited, rep.done, rep.unregistered) == (3, 0, 0)
