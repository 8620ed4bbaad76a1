"""Reminders, closing, and buttons a client forged or kept from before."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from storage.models.org import Member
from storage.surveys import Survey, SurveyProgress, SurveyQuestion
from storage.surveys import QuestionSpec
from tests.support.botenv import DEMO_ROSTER
from tests.support.refusals import refusal, snapshot
from tests.support.surveys import invitation, publish, rating_survey

# Closes Thursday 2026-12-10 23:59 Shanghai; opened Thursday 2026-12-03 09:00.
CLOSES = datetime(2026, 12, 10, 15, 59, tzinfo=timezone.utc)
MORNING = datetime(2026, 12, 11, 0, 1, tzinfo=timezone.utc)  # 08:01 local, the quiet hours over


def _reminders(person) -> list[str]:
    """Reminder texts the bot sent this person (as sent: pressing its button later edits the message)."""
    return [p["text"] for method, p in person.env.fake.calls
            if method == "sendMessage" and p.get("chat_id") == person.id and "提醒" in p.get("text", "")]


async def _member_id(env, employee_no: str) -> int:
    async with env.db.session() as s:
        return (await s.execute(select(Member.id).where(Member.employee_no == employee_no))).scalar_one()


async def test_reminders_reach_only_those_who_have_not_answered_twice_at_most_and_none_after_close(env, clock):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    li = await env.join(103, "李强", "1003")
    chen = await env.join(105, "陈静", "1005")
    survey_id = await publish(env, **rating_survey(closes_at=CLOSES, created_by=await _member_id(env, "1001")))
    await env.tick()
    await wang.press("开始答题", invitation(wang))
    await wang.press("5")
    await chen.press("开始答题", invitation(chen))  # started, not finished

    clock.set(datetime(2026, 12, 5, 19, 0, tzinfo=timezone.utc))  # Sunday 03:00 local: quiet hours
    await env.tick()
    assert not _reminders(li)
    clock.set(datetime(2026, 12, 6, 2, 0, tzinfo=timezone.utc))  # Sunday 10:00 local
    await env.tick()
    await env.tick()
    assert len(_reminders(li)) == 1 and "还没有作答" in _reminders(li)[0]
    assert len(_reminders(chen)) == 1 and "还没有答完" in _reminders(chen)[0]
    assert not _reminders(wang)

    # The reminder's button continues where Chen was.
    assert "第 1/1 题" in (await chen.press("继续答题")).text
    await chen.press("3")

    clock.set(datetime(2026, 12, 8, 2, 0, tzinfo=timezone.utc))
    await env.tick()
    assert len(_reminders(li)) == 1
    clock.set(datetime(2026, 12, 9, 2, 0, tzinfo=timezone.utc))  # the day before closing
    await env.tick()
    assert len(_reminders(li)) == 2 and "第 2 次" in _reminders(li)[1]
    assert len(_reminders(chen)) == 1  # done since

    clock.set(datetime(2026, 12, 10, 2, 0, tzinfo=timezone.utc))
    await env.tick()
    clock.set(datetime(2026, 12, 11, 2, 0, tzinfo=timezone.utc))
    await env.tick()
    await env.restart()
    await env.tick()
    assert len(_reminders(li)) == 2
    assert any("已截止" in t and "7 人中 2 人完成" in t for t in zhang.texts())

    # Closed: Li's Start is refused and nothing is written.
    press = await li.press("开始答题", invitation(li))
    assert "已经截止" in press.toast
    async with env.db.session() as s:
        assert (await s.execute(select(SurveyProgress).where(SurveyProgress.survey_id == survey_id))).first() is None


async def test_forged_and_stale_buttons_are_refused_and_change_nothing(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    finance = await publish(env, title="财务部专项", audience="unit:财务部",
                            questions=[QuestionSpec("rating", "打分")])
    mine = await publish(env, title="两道题", audience="unit:生产部", closes_at=CLOSES,
                         questions=[QuestionSpec("single", "一", ["是", "否"]), QuestionSpec("rating", "二")])
    await env.tick()
    async with env.db.session() as s:
        q = {sid: list((await s.execute(select(SurveyQuestion.id).where(SurveyQuestion.survey_id == sid)
                                        .order_by(SurveyQuestion.position))).scalars()) for sid in (finance, mine)}

    # Another survey, not addressed to Wang.
    assert "不是发给您的" in (await wang.press_data(f"svy:{finance}:start")).toast
    assert "不是发给您的" in (await wang.press_data(f"svy:{finance}:a{q[finance][0]}.5")).toast
    await wang.press("开始答题", invitation(wang))
    # A question of another survey, a question that is not the current one, values out of range, nonsense.
    assert "无效" in (await wang.press_data(f"svy:{mine}:a{q[finance][0]}.5")).toast
    assert "不是当前题目" in (await wang.press_data(f"svy:{mine}:a{q[mine][1]}.5")).toast
    assert "无效" in (await wang.press_data(f"svy:{mine}:a{q[mine][0]}.7")).toast
    assert "无效" in (await wang.press_data(f"svy:{mine}:t{q[mine][0]}.0")).toast  # toggling a single choice
    assert "无效" in (await wang.press_data(f"svy:{mine}:b{q[mine][0]}")).toast  # back from the first
    assert "必须回答" in (await wang.press_data(f"svy:{mine}:s{q[mine][0]}")).toast
    assert "无效" in (await wang.press_data("svy:abc:start")).toast
    assert "找不到" in (await wang.press_data("svy:999:start")).toast
    async with env.db.session() as s:
        progress = (await s.execute(select(SurveyProgress))).scalars().all()
        assert [(p.survey_id, p.position, p.answers) for p in progress] == [(mine, 0, {})]

    # After close, every button of the survey is refused.
    clock.set(CLOSES)
    await env.tick()
    assert "已经截止" in (await wang.press_data(f"svy:{mine}:a{q[mine][0]}.0")).toast
    async with env.db.session() as s:
        assert (await s.execute(select(SurveyProgress))).first() is None


async def test_strangers_get_nothing_and_employees_cannot_drive_the_publishing_wizard(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    survey_id = await publish(env, **rating_survey(closes_at=CLOSES))
    await env.tick()
    async with env.db.session() as s:
        qid = (await s.execute(select(SurveyQuestion.id).where(SurveyQuestion.survey_id == survey_id))).scalar_one()

    stranger = env.person(301, "陌生人")
    for text in ("/surveys", "/results", "/newsurvey", "好"):
        assert "邀请码" in await stranger.say(text)
    for data in (f"svy:{survey_id}:start", f"svy:{survey_id}:a{qid}.5", f"svy:{survey_id}:results", "svw:0:publish"):
        press = await stranger.press_data(data)
        assert "邀请码" in (press.toast or press.text) and "食堂评分" not in (press.toast or press.text)
    # An employee forging the wizard's buttons reaches nothing either.
    for data in ("svw:0:tpl.satisfaction", "svw:0:publish", "svw:0:aud.all"):
        assert "仅限" in (await wang.press_data(data)).toast
    async with env.db.session() as s:
        assert (await s.execute(select(SurveyProgress))).first() is None
        assert (await s.execute(select(func.count()).select_from(Survey))).scalar_one() == 1


async def test_a_survey_scheduled_for_later_opens_on_time_and_late_joiners_can_answer(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    opens = datetime(2026, 12, 4, 1, 0, tzinfo=timezone.utc)
    survey_id = await publish(env, **rating_survey(opens_at=opens, closes_at=CLOSES))
    await env.tick()
    assert "还没有开始" in (await wang.press_data(f"svy:{survey_id}:start")).toast
    assert "没有需要您回答的问卷" in await wang.say("/surveys")
    clock.set(opens)
    await env.tick()
    await env.tick()
    assert sum("共 1 题" in t for t in wang.texts()) == 1
    # Li registers after the opening: /surveys offers it.
    li = await env.join(103, "李强", "1003")
    assert "食堂评分" in await li.say("/surveys")
    assert "第 1/1 题" in (await li.press("开始答题：食堂评分")).text
    assert "感谢参与" in (await li.press("4")).text


async def test_results_promised_to_respondents_reach_them_at_close_and_only_them(env, clock):
    await env.import_roster(DEMO_ROSTER)
    people = [await env.join(200 + i, f"p{i}", no) for i, no in enumerate(("1001", "1002", "1003", "1005"))]
    # Two questions: a questionnaire shows its results only after the close (a one-question poll shows them live).
    await publish(env, **rating_survey(closes_at=CLOSES, min_group_size=3, results_to_respondents=True,
                                       questions=[QuestionSpec("rating", "食堂打几分？"),
                                                  QuestionSpec("text", "其他建议", [], False)]))
    await env.tick()
    for p, score in zip(people[:3], ("5", "4", "3")):
        await p.press("开始答题", invitation(p))
        await p.press(score)
        assert "问卷截止后会通知您：作答满 3 人才公布结果" in await p.say(f"希望食堂加一道菜{score}")
    state = await snapshot(env.db)
    early = await people[0].press_data(f"svy:{await survey_id(env)}:shared")  # before the close
    assert early.toast == refusal("zh", "survey_shared_not_closed", title="食堂评分")
    assert await snapshot(env.db) == state
    clock.set(CLOSES)  # 23:59 local: the announcement waits out the quiet hours
    await env.tick()
    assert not any("已结束" in t for p in people for t in p.texts())
    clock.set(MORNING)
    await env.tick()
    for p in people[:3]:
        announced = [m for m in p.messages if "已结束" in (m.get("text") or "")]
        assert len(announced) == 1 and "共 3 人作答" in announced[0]["text"]  # one message, then a press
        shown = await p.press("查看结果")
        assert any("平均分：4.00（3 人）" in m.get("text", "") for m in shown.new)
        assert not any("各部门参与情况" in m.get("text", "") for m in shown.new)  # the table is for organisers
        # Counts only: respondents never read each other's words (a sentence can name its writer).
        assert any("共 3 条文字回答，仅组织者可见" in m.get("text", "") for m in shown.new)
        assert not any("希望食堂加一道菜" in m.get("text", "") for m in shown.new)
    assert not any("平均分" in t or "已结束" in t for t in people[3].texts())
    state = await snapshot(env.db)
    outsider = await people[3].press_data(f"svy:{await survey_id(env)}:shared")  # did not answer
    assert outsider.toast == refusal("zh", "survey_results_not_yours")
    assert await snapshot(env.db) == state


async def survey_id(env) -> int:
    async with env.db.session() as s:
        return (await s.execute(select(Survey.id))).scalar_one()


async def test_a_group_too_small_is_told_so_and_its_results_stay_closed(env, clock):
    await env.import_roster(DEMO_ROSTER)
    people = [await env.join(200 + i, f"p{i}", no) for i, no in enumerate(("1001", "1002"))]
    await publish(env, **rating_survey(closes_at=CLOSES, min_group_size=3, results_to_respondents=True))
    await env.tick()
    for p in people:
        await p.press("开始答题", invitation(p))
        await p.press("5")
    clock.set(CLOSES)
    await env.tick()
    clock.set(MORNING)  # the announcement waits out the quiet hours
    await env.tick()
    for p in people:
        announced = [m for m in p.messages if "已结束" in (m.get("text") or "")]
        assert len(announced) == 1 and "结果不公布" in announced[0]["text"]
        assert not announced[0].get("reply_markup")
    state = await snapshot(env.db)
    forged = await people[0].press_data(f"svy:{await survey_id(env)}:shared")
    assert forged.toast == refusal("zh", "survey_shared_withheld", minimum=3)
    assert not any("平均分" in t for t in people[0].texts())
    assert await snapshot(env.db) == state


async def test_a_survey_closing_in_the_quiet_hours_tells_its_creator_after_them(env, clock):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(300, "张伟", "1001")
    await publish(env, **rating_survey(closes_at=CLOSES, created_by=await _member_id(env, "1001")))
    await env.tick()
    clock.set(CLOSES)  # 23:59 local
    await env.tick()
    assert not any("已截止" in t for t in zhang.texts())
    clock.set(MORNING)
    await env.tick()
    assert sum("已截止" in t for t in zhang.texts()) == 1
