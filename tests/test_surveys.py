"""Surveys as people meet them in the chat: a secretary publishes, employees answer, results are read."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from storage.surveys import Survey, SurveyBallot, SurveyProgress, SurveyQuestion, SurveyResponse
from tests.support.botenv import DEMO_ROSTER
from storage.surveys import QuestionSpec
from tests.support.refusals import refusal, snapshot
from tests.support.surveys import FOUR_QUESTIONS, invitation


async def _question_ids(env, survey_id: int) -> list[int]:
    async with env.db.session() as s:
        return list((await s.execute(select(SurveyQuestion.id).where(SurveyQuestion.survey_id == survey_id)
                                     .order_by(SurveyQuestion.position))).scalars())


async def _only_survey_id(env) -> int:
    async with env.db.session() as s:
        return (await s.execute(select(Survey.id))).scalar_one()


def _buttons(message: dict) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def _docs(messages):
    return [m for m in messages if "document" in m or "photo" in m]


async def test_file_survey_answered_by_three_with_a_pause_over_a_restart(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    li = await env.join(103, "李强", "1003")
    chen = await env.join(105, "陈静", "1005")

    # Zhang, a secretary, sends the questionnaire and answers the wizard's questions.
    new = await zhang.upload("食堂问卷.csv", FOUR_QUESTIONS.encode("utf-8-sig"), caption="/newsurvey")
    assert "已读取 4 道题" in new[-1]["text"]
    assert "发给谁" in await zhang.say("食堂满意度")
    assert "什么时候截止" in (await zhang.press("全体")).text
    confirm = await zhang.press("7 天后")
    assert "匿名" in confirm.text and "食堂饭菜怎么样" in confirm.text
    await zhang.press("最少显示人数")  # 5 -> 10
    assert "结果最少显示人数：3" in (await zhang.press("最少显示人数")).text
    assert "已发布" in (await zhang.press("发布")).text
    await env.tick()

    invite = invitation(wang)
    assert "食堂满意度" in invite["text"] and "共 4 题" in invite["text"] and "匿名" in invite["text"]

    # Wang answers every kind of question.
    assert "第 1/4 题" in (await wang.press("开始答题")).text
    assert "第 2/4 题" in (await wang.press("好")).text
    assert "✅ 面食" in _buttons((await wang.press("面食")).message)
    await wang.press("素食")
    assert "第 3/4 题" in (await wang.press("选好了")).text
    assert "第 4/4 题" in (await wang.press("4")).text
    assert "感谢参与" in await wang.say("希望有夜宵")

    # Li changes his mind with Back, and skips the optional question.
    await li.press("开始答题")
    await li.press("差")
    await li.press("上一题")
    assert "第 2/4 题" in (await li.press("一般")).text
    refused = await li.press("选好了")  # nothing chosen yet
    assert "至少选择一项" in refused.toast
    await li.press("川菜")
    await li.press("选好了")
    await li.press("2")
    assert "感谢参与" in (await li.press("跳过")).text

    # Chen answers one question, the bot restarts, and days later Chen continues where she left off.
    await chen.press("开始答题")
    await chen.press("好")
    await env.restart()
    env.clock.advance(days=2)
    listing = await chen.send("/surveys")
    assert "未答完" in listing[-1]["text"]
    assert "第 2/4 题" in (await chen.press("继续答题")).text
    await chen.press("面食")
    await chen.press("选好了")
    await chen.press("5")
    assert "感谢参与" in await chen.say("多一些水果")

    # Wang tries to answer again: with the Start button (forged) and with an old answer button.
    survey_id = await _only_survey_id(env)
    qids = await _question_ids(env, survey_id)
    again = await wang.press_data(f"svy:{survey_id}:start")
    assert "已经提交过" in again.toast
    again = await wang.press_data(f"svy:{survey_id}:a{qids[0]}.2")
    assert "已经提交过" in again.toast
    async with env.db.session() as s:
        # Sealed, not yet counted: responses are written for a whole batch at once, never one by one.
        assert (await s.execute(select(func.count()).select_from(SurveyBallot))).scalar_one() == 3
        assert (await s.execute(select(func.count()).select_from(SurveyResponse))).scalar_one() == 0
        assert (await s.execute(select(func.count()).select_from(SurveyProgress))).scalar_one() == 0

    # The secretary reads the results: counts, percentages, average, the free-text list withheld (2 < 3).
    out = await zhang.send(f"/results {survey_id}")
    text = "\n".join(m.get("text", "") for m in out)
    # The base is who registered (4 of the 7 asked); no ballot waits for a batch.
    assert "已注册的 4 人中 3 人完成" in text and "另有 3 人尚未注册" in text and "份答卷" not in text
    async with env.db.session() as s:  # three ballots make a batch (min 3): counted together
        assert (await s.execute(select(func.count()).select_from(SurveyBallot))).scalar_one() == 0
        assert (await s.execute(select(func.count()).select_from(SurveyResponse))).scalar_one() == 3
    assert "好：2（67%）" in text and "一般：1（33%）" in text and "差：0（0%）" in text
    assert "面食：2（67%）" in text and "川菜：1（33%）" in text and "素食：1（33%）" in text
    assert "平均分：3.67（3 人）" in text
    assert "只有 2 人回答此题" in text and "希望有夜宵" not in text
    files = _docs(out)
    photos = [m for m in files if "photo" in m]
    assert len(photos) == 3  # single, multi, rating: a bar chart each
    assert "第 1 题" in photos[0]["caption"] and "1 = 好" in photos[0]["caption"]
    assert env.fake.files[photos[0]["photo"][-1]["file_id"]][1].startswith(b"\x89PNG")
    sheet = [m for m in files if m.get("document", {}).get("file_name", "").endswith(".xlsx")]
    wb = load_workbook(io.BytesIO(env.fake.files[sheet[0]["document"]["file_id"]][1]))
    assert "每人答案" not in wb.sheetnames  # anonymous: no per-person answers
    rows = list(wb["题目"].iter_rows(values_only=True))
    assert (1, "食堂饭菜怎么样？", "单选", "好", 2, 66.7) in [r[:6] for r in rows]


async def test_employees_cannot_publish_or_read_results(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    assert "仅限" in await wang.say("/newsurvey")
    assert "仅限" in await wang.say("/results")
    before = await snapshot(env.db)
    press = await wang.press_data("svy:1:results")
    assert press.toast == refusal("zh", "not_allowed")
    assert await snapshot(env.db) == before


async def test_a_bad_questionnaire_is_refused_whole_with_row_numbers(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    bad = ("类型,题目,选项,必答\n"
           "单选,食堂饭菜怎么样？,好,是\n"       # one option only
           "选择,希望增加哪些菜？,面食|川菜,是\n"  # unknown kind
           "评分,,,也许\n"                       # no question, bad required
           "文本,其他建议,,否\n")
    out = await zhang.upload("bad.csv", bad.encode("gb18030"), caption="/newsurvey")
    text = out[-1]["text"]
    assert "什么也没有改变" in text
    assert "第 2 行" in text and "至少要有两个选项" in text
    assert "第 3 行" in text and "“选择”无法识别" in text
    assert "第 4 行" in text and "题目不能为空" in text and "必答“也许”无法识别" in text
    assert "第 5 行" not in text
    async with env.db.session() as s:
        assert (await s.execute(select(func.count()).select_from(Survey))).scalar_one() == 0
    # No flow was started: typing now is not taken as a title.
    assert "发给谁" not in await zhang.say("食堂满意度")


async def test_xlsx_with_title_row_and_english_speaker(env):
    from openpyxl import Workbook

    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    emily = await env.join(107, "Emily", "1007", lang="en-GB")
    wang = await env.join(102, "王芳", "1002")
    wb = Workbook()
    ws = wb.active
    ws.append(["员工满意度调查表"])
    ws.append(["类型", "题目", "选项", "必答"])
    ws.append(["scale10", "How likely are you to recommend us?", None, "yes"])
    ws.append([None, None, None, None])
    buf = io.BytesIO()
    wb.save(buf)
    await zhang.upload("q.xlsx", buf.getvalue(), caption="/newsurvey")
    await zhang.say("eNPS")
    assert "截止" in await zhang.say("unit:财务部")
    await zhang.say("2026-12-08 18:00")
    assert "2026-12-08 18:00" in (await zhang.press("发布")).text
    await env.tick()
    invite = invitation(emily)
    assert "1 question" in invite["text"] and "anonymous" in invite["text"]
    assert "question 1 of 1" in (await emily.press("Start")).text
    assert "Thank you" in (await emily.press("9")).text
    assert not any("eNPS" in t for t in wang.texts())  # 生产部 is not asked


async def test_quick_poll_wizard_and_builtin_template(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    assert "快速投票" in await zhang.say("/newsurvey")
    assert "请输入选项" in await zhang.say("周五下午组织什么活动？")
    assert "发给谁" in await zhang.say("羽毛球|读书会|观影")
    assert "截止" in (await zhang.press("部门：生产部")).text
    assert "不是有效的日期时间" in await zhang.say("下周")
    assert "请确认" in await zhang.say("2026-12-05")
    assert "已发布" in (await zhang.press("发布")).text
    await env.tick()
    assert "周五下午组织什么活动" in invitation(wang)["text"]
    await wang.press("开始答题")
    assert "感谢参与" in (await wang.press("读书会")).text

    # The built-in satisfaction pulse: five questions, the title suggested.
    await zhang.send("/newsurvey")
    assert "5 道题" in (await zhang.press("满意度调查")).text
    assert "发给谁" in (await zhang.press("用：党群工作满意度调查")).text
    await zhang.press("党员")
    await zhang.press("3 天后")
    await zhang.press("发布")
    async with env.db.session() as s:
        pulse = (await s.execute(select(Survey).where(Survey.tag == "satisfaction"))).scalar_one()
        assert pulse.audience == "party" and pulse.title == "党群工作满意度调查"
    # Cancel leaves nothing behind.
    await zhang.send("/newsurvey")
    await zhang.press("取消")
    assert "请输入选项" not in await zhang.say("还有一个问题？")


async def test_named_survey_says_so_and_exports_each_persons_answers(env):
    from storage import surveys as survey_service
    from storage.surveys import QuestionSpec

    await env.import_roster(DEMO_ROSTER)
    admin = env.admin()
    await admin.send("/help")
    wang = await env.join(102, "王芳", "1002")
    async with env.db.session() as s:
        survey = await survey_service.publish(
            s, env.ctx, title="培训报名", audience="unit:生产部", anonymous=False, min_group_size=3,
            questions=[QuestionSpec("single", "参加哪一期？", ["第一期", "第二期"])])
    await env.tick()
    assert "实名" in invitation(wang)["text"]
    await wang.press("开始答题")
    await wang.press("第二期")
    out = await admin.send(f"/results {survey.id}")
    sheet = [m for m in out if m.get("document", {}).get("file_name", "").endswith(".xlsx")][0]
    assert "含每人答案" in sheet["caption"]
    wb = load_workbook(io.BytesIO(env.fake.files[sheet["document"]["file_id"]][1]))
    assert list(wb["每人答案"].iter_rows(values_only=True))[1] == ("1002", "王芳", "第二期")


async def test_the_kpi_board_shows_closed_surveys_response_rate_and_satisfaction(env, clock):
    from datetime import timedelta

    from tests.support.surveys import publish

    await env.import_roster(DEMO_ROSTER)
    people = [await env.join(600 + i, f"p{i}", no) for i, no in enumerate(("1001", "1002", "1003", "1004"))]
    await publish(env, title="满意度", audience="all", min_group_size=3, tag="satisfaction",
                  closes_at=clock.now() + timedelta(days=2), questions=[QuestionSpec("rating", "满意吗")])
    await env.tick()
    for p, score in zip(people[:3], ("5", "4", "3")):
        await p.press("开始答题", invitation(p))
        await p.press(score)
    clock.advance(days=3)
    await env.tick()
    board = await env.admin().say("/kpi 2026-12")
    assert "结束 1 份，回复率 43%，满意度 4.00" in board  # 3 of the 7 asked


async def test_a_survey_published_in_quiet_hours_says_when_the_invitations_go_out(env, clock):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    clock.set(datetime(2026, 12, 3, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    await zhang.say("/newsurvey")
    await zhang.say("周五下午组织什么活动？")
    await zhang.say("羽毛球|读书会|观影")
    await zhang.press("部门：生产部")
    await zhang.say("2026-12-05")
    done = (await zhang.press("发布")).text
    assert "已发布" in done and "现处于免打扰时段，邀请将于 2026-12-04 08:00 发出" in done
    await env.tick()
    assert not any("周五下午组织什么活动" in t for t in wang.texts())
    clock.set(datetime(2026, 12, 4, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    await env.tick()
    assert "周五下午组织什么活动" in invitation(wang)["text"]


async def test_a_member_who_registers_while_a_survey_is_open_is_invited_and_the_base_counts_registered_members(env):
    from tests.support.surveys import publish, rating_survey

    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    await env.join(102, "王芳", "1002")
    survey_id = await publish(env, **rating_survey(audience="unit:生产部", min_group_size=3, created_by=None))
    await env.tick()
    text = "\n".join(m.get("text", "") for m in await zhang.send(f"/results {survey_id}"))
    assert "已注册的 2 人中 0 人完成" in text and "另有 1 人尚未注册" in text  # 李强 has not registered

    li = await env.join(103, "李强", "1003")  # registers while the survey is open
    await env.tick()
    assert "食堂评分" in invitation(li)["text"]
    await env.tick()
    assert len([m for m in li.messages if "食堂评分" in (m.get("text") or "")]) == 1  # invited once
    text = "\n".join(m.get("text", "") for m in await zhang.send(f"/results {survey_id}"))
    assert "已注册的 3 人中 0 人完成" in text and "尚未注册" not in text
