"""Issue 15, item 6 for surveys: replying (Telegram's reply) to a question's message answers it, the text of a
free-text question or the option a one-choice question's reply names. Thursday 2026-12-03, 09:00 in Shanghai."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.surveys import QuestionSpec, SurveyCompletion
from tests.support.botenv import DEMO_ROSTER
from tests.support.refusals import refusal, snapshot
from tests.support.surveys import invitation, publish

QUESTIONS = [QuestionSpec("single", "食堂饭菜怎么样？", ["好", "一般", "差"], True),
             QuestionSpec("rating", "总体满意度", [], True),
             QuestionSpec("text", "其他建议", [], False)]


async def test_a_survey_answered_by_replying_to_each_question(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    await publish(env, title="食堂问卷", audience="all", questions=QUESTIONS,
                  closes_at=env.ctx.now() + timedelta(days=3))
    await env.tick()
    first = (await wang.press("开始答题", invitation(wang))).message
    assert "第 1/3 题" in first["text"]

    before = await snapshot(env.db)
    wrong = await wang.reply(first, "很好")
    assert wrong[-1]["text"] == refusal("zh", "survey_reply_choose", kind="single", options=["好", "一般", "差"])
    assert await snapshot(env.db) == before

    second = (await wang.reply(first, "一般"))[-1]
    assert "第 2/3 题" in second["text"]
    third = (await wang.reply(second, "4"))[-1]
    assert "第 3/3 题" in third["text"]
    before = await snapshot(env.db)
    stale = await wang.reply(first, "差")  # the first question is behind her now
    assert stale[-1]["text"] == refusal("zh", "survey_question_stale")
    assert await snapshot(env.db) == before
    done = (await wang.reply(third, "希望多些素食"))[-1]
    assert "感谢参与“食堂问卷”" in done["text"]
    async with env.db.session() as s:
        assert list((await s.execute(select(SurveyCompletion.done))).scalars()).count(True) == 1


async def test_a_reply_to_the_invitation_opens_the_first_question_not_the_menu(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    await publish(env, title="食堂问卷", audience="all", questions=QUESTIONS,
                  closes_at=env.ctx.now() + timedelta(days=3))
    await env.tick()
    opened = (await wang.reply(invitation(wang), "好"))[-1]
    assert "食堂问卷</b> · 第 1/3 题" in opened["text"] and "菜单" not in opened["text"]
    assert (await wang.reply(opened, "一般"))[-1]["text"].count("第 2/3 题") == 1


async def test_a_multiple_choice_or_a_photo_cannot_be_answered_by_reply_and_nothing_changes(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    await publish(env, title="菜单", audience="all", closes_at=env.ctx.now() + timedelta(days=3),
                  questions=[QuestionSpec("multi", "希望增加哪些菜？", ["面食", "川菜", "素食"], True),
                             QuestionSpec("text", "其他建议", [], True)])
    await env.tick()
    first = (await wang.press("开始答题", invitation(wang))).message
    before = await snapshot(env.db)
    ticked = await wang.reply(first, "面食")
    assert ticked[-1]["text"] == refusal("zh", "survey_reply_choose", kind="multi", options=["面食", "川菜", "素食"])
    assert await snapshot(env.db) == before
    await wang.press("面食", first)
    second = (await wang.press("选好了", first)).message
    assert "第 2/2 题" in second["text"]
    before = await snapshot(env.db)
    photo = await wang.reply_photo(second, b"\xff\xd8 a dish")
    assert photo[-1]["text"] == refusal("zh", "survey_text_expected")
    assert await snapshot(env.db) == before
