"""Branch evaluation by several parties: the Party members, the employees' representatives and the Party
committee each rate the branches in the built-in survey; the branch evaluation score is the mean of the
parties' means, a party counted only when enough of it rated that branch. Figures worked out by hand."""
from __future__ import annotations

import asyncio
import io
import secrets
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storage import kpi, report, roster, surveys
from storage.errors import Refused
from storage.models.org import Unit
from storage.surveys import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from storage.surveys.jobs import produce_closings
from tests.support.refusals import snapshot
from tests.support.surveys import BIG_ROSTER, invitation, join_all

ROSTER = """employee_no,name,department,branch,party_member,roles
1001,张伟,生产部,第一支部,是,secretary
1002,王芳,生产部,第一支部,是,employee
1004,刘洋,财务部,第二支部,是,secretary
1010,代表甲,生产部,第一支部,否,职工代表
1020,委员甲,办公室,第二支部,是,党委委员
"""


async def _publish(db, ctx, audience: str, *, min_group_size: int = 5) -> int:
    async with db.session() as s:
        title, tag, questions = await surveys.questionnaire(s, "branch_evaluation", "zh")
        survey = await surveys.publish(s, ctx, title=title, audience=audience, questions=questions, tag=tag,
                                       closes_at=ctx.now() + timedelta(days=2), min_group_size=min_group_size)
        return survey.id


async def _counted(db, survey_id: int, branch: str, *ratings: tuple[int, int, int]) -> None:
    """Responses as the tick writes them once counted: the branch chosen, then three ratings each."""
    async with db.session() as s:
        questions = {q.position: q for q in (await s.execute(
            select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id))).scalars()}
        choice = questions[0].options.index(branch)  # positions count from 0
        for three in ratings:
            response = SurveyResponse(id=secrets.token_hex(16), survey_id=survey_id, unit_id=None,
                                      submitted_on=date(2026, 12, 3))
            s.add(response)
            await s.flush()
            s.add(SurveyAnswer(response_id=response.id, question_id=questions[0].id, number=choice))
            for position, value in zip((1, 2, 3), three):
                s.add(SurveyAnswer(response_id=response.id, question_id=questions[position].id, number=value))


async def _figures(db, ctx, clock, unit_ids=None, *, close: bool = True) -> dict:
    clock.advance(days=3)  # the surveys are due to close
    if close:
        await _close(db, ctx)
    return await _read(db, ctx, unit_ids)


async def _close(db, ctx) -> None:
    """What the tick does at a survey's close: closed, the last ballots counted."""
    async with db.session() as s:
        await produce_closings(s, ctx)


async def _read(db, ctx, unit_ids=None) -> dict:
    _, start, end = kpi.period_bounds("2026-12", ctx)
    async with db.session() as s:
        return await _indicator()(s, ctx, unit_ids=unit_ids, start=start, end=end)


def _indicator():
    """The figures registered for the board and the report under "evaluation"."""
    return dict(kpi.features())["evaluation"]


async def test_the_score_is_the_mean_of_the_parties_counted_only_when_enough_answered(db, ctx, clock):
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(ROSTER.encode(), "roster.csv"))
    party = await _publish(db, ctx, "党员")
    reps = await _publish(db, ctx, "角色:职工代表")
    committee = await _publish(db, ctx, "role:committee", min_group_size=3)
    # 第一支部: members 5 × (4,4,5),(5,5,5),(3,4,5),(4,4,4),(5,4,3) -> means 4.333, 5, 4, 4, 4 -> 4.2667
    await _counted(db, party, "第一支部", (4, 4, 5), (5, 5, 5), (3, 4, 5), (4, 4, 4), (5, 4, 3))
    # representatives 5 × 3 everywhere -> 3.0; committee 3 × (5,5,5),(4,4,4),(3,3,3) -> 4.0
    await _counted(db, reps, "第一支部", *[(3, 3, 3)] * 5)
    await _counted(db, committee, "第一支部", (5, 5, 5), (4, 4, 4), (3, 3, 3))
    # 第二支部: only 4 members (below their survey's 5) and 2 committee members (below 3): nothing shown.
    await _counted(db, party, "第二支部", *[(1, 1, 1)] * 4)
    await _counted(db, committee, "第二支部", (1, 1, 1), (1, 1, 1))

    figures = await _figures(db, ctx, clock)
    members = (13 / 3 + 5 + 4 + 4 + 4) / 5  # 4.2667
    first = (members + 3.0 + 4.0) / 3  # 3.7556: three parties, equal weight
    assert figures["by_branch"] == {"第一支部": round(first, 2), "第二支部": None}
    assert figures["branch_score"] == pytest.approx(first)  # the only branch shown
    assert figures["respondents"] == 13 and figures["branches_rated"] == 1
    assert kpi.measure("evaluation.branch_score").value({"evaluation": figures}) == pytest.approx(first)

    # The report reads the same registry: the indicator by name in the summary, the figure in the raw data.
    async with db.session() as s:
        _, data = await report.workbook(s, ctx, "2026-12")
    book = load_workbook(io.BytesIO(data))
    cells = [v for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert "支部多方评价得分" in cells
    raw = {row[0]: row[1] for row in book["原始数据"].iter_rows(min_row=3, values_only=True)}
    assert raw["evaluation.branch_score"] == pytest.approx(first)

    # A secretary of 第二支部 sees nothing: too few rated it in every party.
    async with db.session() as s:
        second = (await s.execute(select(Unit.id).where(Unit.path == "第二支部"))).scalar_one()
        _, start, end = kpi.period_bounds("2026-12", ctx)
        scoped = await _indicator()(s, ctx, unit_ids={second}, start=start, end=end)
    assert scoped["branch_score"] is None and scoped["by_branch"] == {"第二支部": None}
    assert kpi.measure("evaluation.branch_score").value({"evaluation": scoped}) is None


async def test_a_survey_past_its_close_counts_only_once_the_tick_closed_it(db, ctx, clock):
    """Until the closing tick counts the last ballots, a look and a later one could differ by one rating of a
    branch: the survey is not read before it is closed."""
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(ROSTER.encode(), "roster.csv"))
    party = await _publish(db, ctx, "党员")
    await _counted(db, party, "第一支部", *[(4, 4, 4)] * 5)
    before = await _figures(db, ctx, clock, close=False)
    assert before["by_branch"] == {} and before["branch_score"] is None
    await _close(db, ctx)
    assert (await _read(db, ctx))["by_branch"] == {"第一支部": 4.0}


async def test_a_second_survey_of_the_party_never_moves_a_branch_by_one_rating(db, ctx, clock):
    """The floor holds per survey: the members asked twice in a month, the second time one of them rating
    第一支部, that one rating is not pooled into the first survey's figure (the difference would be it)."""
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(ROSTER.encode(), "roster.csv"))
    first = await _publish(db, ctx, "党员")
    second = await _publish(db, ctx, "党员")
    await _counted(db, first, "第一支部", *[(4, 4, 4)] * 5)
    await _counted(db, second, "第一支部", (1, 1, 1))
    await _counted(db, second, "第二支部", *[(2, 2, 2)] * 4)  # the second survey's batch: five in all
    figures = await _figures(db, ctx, clock)
    assert figures["by_branch"] == {"第一支部": 4.0, "第二支部": None}
    assert figures["respondents"] == 5


async def test_the_questionnaire_lists_the_branches_and_needs_one(db, ctx):
    async with db.session() as s:
        with pytest.raises(Refused) as refused:
            await surveys.questionnaire(s, "branch_evaluation", "zh")
    assert refused.value.template == "survey_evaluation_no_branches"
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(ROSTER.encode(), "roster.csv"))
    async with db.session() as s:
        title, tag, questions = await surveys.questionnaire(s, "branch_evaluation", "zh")
    assert title == "党支部工作多方评价" and tag == "branch_evaluation"
    assert questions[0].options == ["第一支部", "第二支部"] and [q.kind for q in questions[1:4]] == ["rating"] * 3


async def test_party_members_rate_their_branch_in_chat_and_kpi_shows_the_score(env, clock, run_cli):
    people = await join_all(env, BIG_ROSTER)  # 生产部: 7 Party members of 第一支部, 1101 their secretary
    code, out, err = await asyncio.to_thread(run_cli, "surveys", "publish", "builtin:branch_evaluation",
                                             "--audience", "党员", "--closes", "2026-12-04 18:00")
    assert code == 0, err
    await env.tick()
    for no, score in zip(("1101", "1102", "1103", "1104", "1105"), ("5", "4", "4", "3", "5")):
        person = people[no]
        await person.press("开始答题", invitation(person))
        await person.press("第一支部")
        for _ in range(3):
            await person.press(score)
        await person.press("跳过")
    clock.advance(days=2)
    await env.tick()
    board = await people["1101"].say("/kpi 2026-12")
    assert "支部多方评价" in board and "第一支部：4.20" in board  # (5+4+4+3+5)/5, one party
    async with env.db.session() as s:
        assert (await s.execute(select(Survey.tag))).scalar_one() == "branch_evaluation"


async def test_a_secretary_sends_the_evaluation_to_the_representatives_from_the_wizard(env):
    await env.import_roster(ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    rep = await env.join(110, "代表甲", "1010")
    await zhang.send("/newsurvey")
    assert "5 道题" in (await zhang.press("支部多方评价")).text
    assert "发给谁" in (await zhang.press("用：党支部工作多方评价")).text
    await zhang.press("角色…")
    await zhang.press("职工代表")
    await zhang.press("3 天后")
    assert "已发布" in (await zhang.press("发布")).text
    await env.tick()
    async with env.db.session() as s:
        survey = (await s.execute(select(Survey))).scalar_one()
        first = (await s.execute(select(SurveyQuestion).where(SurveyQuestion.position == 0))).scalar_one()
    assert (survey.tag, survey.audience) == ("branch_evaluation", "role:representative")
    assert first.options == ["第一支部", "第二支部"]
    asked = (await rep.press("开始答题", invitation(rep))).text
    assert "您评价的是哪个党支部" in asked


async def test_the_evaluation_sent_to_no_single_party_is_refused_and_nothing_is_written(env, run_cli):
    await env.import_roster(ROSTER)
    state = await snapshot(env.db)
    code, _, err = await asyncio.to_thread(run_cli, "surveys", "publish", "builtin:branch_evaluation",
                                           "--audience", "全体")
    assert code != 0 and "每份只发给一方" in err
    assert await snapshot(env.db) == state
