"""On a real PostgreSQL (migrated to head, so 0016 too): the member file, the points board with a named
member, and the branch evaluation figures read the same as on SQLite."""
from __future__ import annotations

from datetime import timedelta

import pytest

from storage import kpi, surveys
from tests.support.memberfile import SECRET_ANSWER, SECRET_TICKET, seed_year
from tests.support.tasks import cast
from tests.test_surveys_evaluation import _counted


async def test_the_file_the_board_and_the_evaluation_on_postgresql(pg_env, clock):
    env = pg_env
    c = await cast(env)
    await seed_year(env, c)
    card = (await c.zhang.send("/member 1002"))[-1]["text"]
    assert "已学 1 课" in card and "按时完成率 100%" in card and "署名反映：1 件" in card
    assert SECRET_TICKET not in card and SECRET_ANSWER not in card

    await c.wang.send("/me")
    await c.wang.press("积分榜上显示我的姓名")
    await c.li.send("/lessons")
    board = next(m["text"] for m in reversed(c.li.messages) if "积分榜" in (m.get("text") or ""))
    assert "1. 王芳 — 9 分" in board and "2. （未公开姓名） — 5 分" in board

    async with env.db.session() as s:
        title, tag, questions = await surveys.questionnaire(s, "branch_evaluation", "zh")
        survey = await surveys.publish(s, env.ctx, title=title, audience="party", questions=questions, tag=tag,
                                       closes_at=env.ctx.now() + timedelta(days=1))
        survey_id = survey.id
    await _counted(env.db, survey_id, "第二支部", (5, 4, 3), (4, 4, 4), (3, 3, 3), (5, 5, 5), (4, 4, 4))
    clock.advance(days=2)
    await env.tick()  # closed: the evaluation reads a survey once the tick closed it
    _, start, end = kpi.period_bounds("2026-12", env.ctx)
    async with env.db.session() as s:
        figures = (await kpi.collect(s, env.ctx, unit_ids=None, start=start, end=end))["evaluation"]
    assert figures["by_branch"] == {"第二支部": 4.0} and figures["branch_score"] == pytest.approx(4.0)
