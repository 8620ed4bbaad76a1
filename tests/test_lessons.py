"""Micro-lessons through the fake Bot API: pushed to one branch, read for real, quizzed, reminded, measured."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from storage import lessons
from storage.lessons import Lesson, LessonAssignment, LessonPoints, QuizAttempt
from tests.support.botenv import DEMO_ROSTER
from tests.support.lessons import LESSON_MD, publish
from tests.support.refusals import refusal, snapshot


async def _branch_one(env):
    """Zhang (secretary), Wang and Li of the first branch, and Chen of the second, all registered."""
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    li = await env.join(103, "李强", "1003")
    chen = await env.join(105, "陈静", "1005")
    return zhang, wang, li, chen


def _lesson_messages(person) -> list[dict]:
    return [m for m in person.messages if "建议阅读" in (m.get("text") or "")]


async def test_lesson_reaches_its_branch_and_learned_counts_only_after_reading_time(env, clock):
    zhang, wang, li, chen = await _branch_one(env)
    lesson_id = await publish(env, min_read=120)

    pushed = _lesson_messages(wang)
    assert len(pushed) == 1
    text = pushed[0]["text"]
    assert "学习党章：党员的义务" in text and "<b>八项义务</b>" in text
    assert '<a href="https://www.12371.cn/special/dz/">党章全文</a>' in text
    buttons = [b["text"] for row in pushed[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["✅ 已学习", "📝 参加测验"]
    assert _lesson_messages(li) and _lesson_messages(zhang)
    assert _lesson_messages(chen) == [], "a member outside the audience receives nothing"

    early = await wang.press("已学习")
    assert "再认真读一会儿" in early.toast and "2 分钟" in early.toast
    clock.advance(seconds=60)
    assert "还需约 60 秒" in (await wang.press("已学习")).toast

    clock.advance(seconds=61)
    done = await wang.press("已学习")
    assert "已记录" in done.toast
    assert "已学习《学习党章：党员的义务》" in done.text and "积分 +5" in done.text
    again = await wang.press("已学习")
    assert "已经学过" in again.toast

    async with env.db.session() as s:
        figures = await lessons.lesson_figures(s, lesson_id)
    assert (figures.audience, figures.delivered, figures.learned) == (3, 3, 1)
    assert abs(figures.coverage - 1 / 3) < 1e-9


async def test_quiz_first_attempt_counts_and_practising_the_wrong_ones_says_it_is_not_scored(env):
    zhang, wang, li, chen = await _branch_one(env)
    lesson_id = await publish(env, min_read=600)

    start = await li.press("参加测验")
    assert "测验 1/3" in start.text and "党章规定党员有几项义务" in start.text
    first = await li.press("A")  # 六项: wrong
    assert "正确答案是 B" in first.message["text"] and "八项义务" in first.message["text"]
    assert "测验 2/3" in first.text
    second = await li.press("A")  # 认真学习: right
    assert "回答正确" in second.message["text"]
    third = await li.press("B")  # 发家致富: wrong
    assert "正确答案是 A" in third.message["text"]
    result = third.text
    assert "答对 1/3" in result and "成绩 33%（以第一次作答为准）" in result and "未及格（及格线 60%）" in result
    assert "有 2 道题答错了" in result and "练习不计成绩" in result

    async with env.db.session() as s:
        attempt_id = (await s.execute(select(QuizAttempt.id))).scalar_one()
    stale = await li.press_data(f"quz:{attempt_id}:0.1")  # the first question again
    assert "已经答过" in stale.toast

    practice = await li.press("练习错题")
    assert "练习 1/2</b>（不计成绩）" in practice.text and "党章规定党员有几项义务" in practice.text
    await li.press("B")
    done = await li.press("A")
    assert "练习完成" in done.text and "本轮答对 2/2" in done.text and "不计成绩，也不加积分" in done.text
    assert "测验成绩以第一次作答为准：33%，未及格" in done.text and "错题已全部练对" in done.text
    assert "已学习" not in done.text.split("。")[0] and "记为已学习" not in done.text

    # Nothing left to practise; the score is still the first attempt's, and the lesson is not learned.
    assert "成绩 33%（以第一次作答为准）" in (await li.press("参加测验")).toast
    listing = await li.say("/lessons")
    assert "待学习：" in listing and "测验 33%，未及格" in listing and "测验 100%" not in listing
    async with env.db.session() as s:
        a = (await s.execute(select(LessonAssignment).where(LessonAssignment.member_id == 3))).scalar_one()
        points = dict((await s.execute(select(LessonPoints.reason, LessonPoints.points)
                                       .where(LessonPoints.member_id == 3))).all())
        figures = await lessons.lesson_figures(s, lesson_id)
    assert (a.first_score, a.learned_at) == (33, None)
    assert points == {"quiz": 2}, "practice teaches; only the first attempt's answers earn"
    assert figures.learned == 0 and figures.avg_score == 33.0


async def test_a_passing_first_attempt_learns_the_lesson_and_practice_keeps_its_score(env):
    zhang, wang, li, chen = await _branch_one(env)
    await publish(env, min_read=600)
    await wang.press("参加测验")
    for letter in ("B", "A", "B"):  # two of three right: 67%, over the 60% mark
        last = await wang.press(letter)
    assert "成绩 67%（以第一次作答为准）" in last.text and "已及格，本课记为已学习" in last.text
    practice = await wang.press("练习错题")
    assert "练习 1/1" in practice.text
    done = await wang.press("A")
    assert "测验成绩以第一次作答为准：67%，已及格" in done.text and "积分 +" not in done.text
    listing = await wang.say("/lessons")
    assert "测验 67%" in listing and "测验 100%" not in listing


async def test_full_marks_earn_the_bonus_and_lessons_lists_pending_learned_and_points(env):
    zhang, wang, li, chen = await _branch_one(env)
    await publish(env)
    await wang.press("参加测验")
    for letter in ("B", "A", "A"):
        last = await wang.press(letter)
    assert "答对 3/3" in last.text and "积分 +" in last.text

    listing = await wang.say("/lessons")
    assert "已学习：" in listing and "学习党章：党员的义务" in listing and "测验 100%" in listing
    assert "积分：共 16 分" in listing  # 5 learned + 3 x 2 right + 5 full marks
    assert "覆盖率" not in listing, "an employee does not see the branches' figures"

    pending = await li.say("/lessons")
    assert "待学习：" in pending and "学习党章：党员的义务" in pending
    reopened = await li.press("学习党章")
    assert any("八项义务" in (m.get("text") or "") for m in reopened.new)


async def test_secretary_sees_coverage_of_their_branches_and_admin_sees_every_branch(env):
    zhang, wang, li, chen = await _branch_one(env)
    await publish(env, audience="all", min_read=0)
    await wang.press("已学习")
    await chen.press("已学习")
    await li.press("参加测验")
    for letter in ("B", "B", "B"):  # one right of three
        await li.press(letter)

    report = await zhang.say("/lessons")
    assert "学习覆盖率" in report
    assert "1/3（33%）" in report  # Zhang answers for 生产部 and 第一支部: Zhang, Wang, Li
    assert "第一支部：1/3（33%），平均分 33.0" in report
    assert "第二支部" not in report

    admin = env.admin()
    overall = await admin.say("/lessons")
    assert "第一支部：1/3（33%）" in overall and "第二支部：1/4（25%）" in overall


async def test_english_speaker_gets_the_lesson_frame_in_english(env):
    await env.import_roster(DEMO_ROSTER)
    emily = await env.join(107, "Emily", "1007", lang="en-GB")
    await publish(env, audience="branch:第二支部", min_read=0)
    pushed = [m for m in emily.messages if "min to read" in (m.get("text") or "")]
    assert len(pushed) == 1 and "About 1 min to read, with a 3-question quiz" in pushed[0]["text"]
    done = await emily.press("Learned")
    assert "Learned: “学习党章：党员的义务”. +5 points." in done.text
    assert "Points: 5 in all, 5 today." in await emily.say("/lessons")


async def test_reminders_reach_only_those_who_have_not_learned_at_most_twice_and_never_at_night(env, clock):
    zhang, wang, li, chen = await _branch_one(env)
    # Published Thursday 09:00; due the next Wednesday: reminders after 2 days and on Tuesday.
    await publish(env, min_read=0, due_on=date(2026, 12, 9))
    await wang.press("已学习")

    def reminders(person):
        return [m for m in person.messages if "学习提醒" in (m.get("text") or "")]

    clock.advance(days=1)
    await env.tick()
    assert reminders(li) == []
    clock.advance(days=1, hours=13)  # Saturday 22:00 local: quiet hours
    await env.tick()
    assert reminders(li) == []
    clock.advance(hours=11)  # Sunday 09:00
    await env.tick()
    assert len(reminders(li)) == 1 and len(reminders(zhang)) == 1
    assert reminders(wang) == [] and reminders(chen) == []
    assert "2026-12-09" in reminders(li)[0]["text"]

    clock.advance(days=2)  # Tuesday 09:00, the day before the due date
    await env.tick()
    assert len(reminders(li)) == 2 and "明天就截止" in reminders(li)[1]["text"]
    await env.restart()
    clock.advance(hours=5)
    await env.tick()
    clock.advance(days=1)
    await env.tick()
    assert len(reminders(li)) == 2, "at most twice, across restarts"

    # The reminder's own buttons work: reading again, then learned.
    again = await li.press("再读一遍")
    assert any("八项义务" in (m.get("text") or "") for m in again.new)


async def test_forged_callbacks_for_another_members_lesson_or_quiz_are_refused(env):
    zhang, wang, li, chen = await _branch_one(env)
    lesson_id = await publish(env, min_read=0)
    await li.press("参加测验")
    async with env.db.session() as s:
        attempt_id = (await s.execute(select(QuizAttempt.id))).scalar_one()

    for data in (f"les:{lesson_id}:learned", f"les:{lesson_id}:quiz", f"les:{lesson_id}:open",
                 f"quz:{attempt_id}:0.1", f"quz:{attempt_id}:retry", "les:999:learned", "les:x:learned"):
        before = await snapshot(env.db)
        press = await chen.press_data(data)
        assert press.toast in (refusal("zh", "lesson_not_yours"), refusal("zh", "button_expired")), (data, press.toast)
        assert await snapshot(env.db) == before, data
    async with env.db.session() as s:
        attempt = await s.get(QuizAttempt, attempt_id)
        learned = (await s.execute(select(func.count()).where(LessonAssignment.learned_at.is_not(None)))).scalar_one()
        assigned = (await s.execute(select(func.count()).select_from(LessonAssignment)
                                    .where(LessonAssignment.member_id == 5))).scalar_one()
    assert attempt.position == 0 and attempt.answers == [] and learned == 0 and assigned == 0


async def test_a_ten_thousand_character_lesson_arrives_whole_and_in_order(env):
    zhang, wang, li, chen = await _branch_one(env)
    paragraphs = [f"**第{i:03d}段** " + "学习贯彻党的创新理论，" * 9 + f"<第{i:03d}段完>" for i in range(100)]
    body = "\n\n".join(paragraphs)
    assert len(body) > 10_000
    await publish(env, f"# 长课\n\n{body}\n", min_read=0)

    pushed = [m for m in wang.messages if "第" in (m.get("text") or "") and "段" in m["text"]]
    assert len(pushed) >= 3
    assert all(len(m["text"]) <= 4096 for m in pushed)
    for m in pushed:
        assert m["text"].count("<b>") == m["text"].count("</b>")
    whole = "".join(re.sub(r"<[^>]+>", "", m["text"]) for m in pushed)
    marks = re.findall(r"&lt;第(\d{3})段完&gt;", whole)
    assert marks == [f"{i:03d}" for i in range(100)], "every paragraph, once, in order"
    assert all("reply_markup" not in m for m in pushed[:-1]) and "reply_markup" in pushed[-1]
    buttons = [b["text"] for row in pushed[-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["✅ 已学习"], "no quiz, no quiz button"


async def test_newlesson_wizard_previews_and_publishes_to_the_chosen_branch(env):
    zhang, wang, li, chen = await _branch_one(env)
    assert "发送课程内容" in await zhang.say("/newlesson")
    reply = await zhang.send(LESSON_MD)
    assert "发给谁" in reply[-1]["text"]
    timing = await zhang.press("本支部")
    assert "3 人" in timing.text
    due = await zhang.press("明早 09:00")
    assert "2026-12-04 09:00" in due.text
    preview = await zhang.press("7 天内")
    texts = [m["text"] for m in preview.new]
    assert any("八项义务" in t for t in texts), "the preview shows the lesson as members will get it"
    assert "确认发布" in texts[-1] and "2026-12-11" in texts[-1]
    done = await zhang.press("发布")
    assert "将于 2026-12-04 09:00 发布" in done.message["text"]

    await env.tick()
    assert _lesson_messages(wang) == [], "not before its time"
    env.clock.advance(days=1)
    await env.tick()
    assert len(_lesson_messages(wang)) == 1 and _lesson_messages(chen) == []
    async with env.db.session() as s:
        lesson = (await s.execute(select(Lesson))).scalar_one()
    assert lesson.due_on == date(2026, 12, 11) and lesson.author_id is not None


async def test_bad_lesson_is_refused_with_line_numbers_and_nothing_is_stored(env):
    zhang, wang, li, chen = await _branch_one(env)
    await zhang.send("/newlesson")
    bad = "没有标题的第一行\n\n## Quiz\nQ: 只有一个选项\n- [x] 唯一\nQ: 两个都对\n- [x] 甲\n- [x] 乙\n随便写的一行\n"
    reply = await zhang.upload("lesson.md", bad.encode("gb18030"))
    text = reply[-1]["text"]
    assert "什么也没有改变" in text
    assert "第 1 行" in text and "第 4 行" in text and "第 6 行" in text and "第 9 行" in text
    assert "不是课程文件" in (await zhang.upload("lesson.pdf", b"%PDF"))[-1]["text"]
    # Still at the first step: a good file now goes through.
    reply = await zhang.upload("lesson.md", LESSON_MD.encode("utf-8-sig"))
    assert "发给谁" in reply[-1]["text"]
    async with env.db.session() as s:
        assert (await s.execute(select(func.count()).select_from(Lesson))).scalar_one() == 0


async def test_employee_cannot_use_newlesson_and_secretary_cannot_reach_other_branches(env):
    zhang, wang, li, chen = await _branch_one(env)
    assert "仅限" in await wang.say("/newlesson")
    assert (await wang.press_data("lsw:0:publish")).toast
    await zhang.send("/newlesson")
    await zhang.send(LESSON_MD)
    assert "只能向自己负责" in await zhang.say("branch:第二支部")
    assert "只能向自己负责" in await zhang.say("all")
    assert "3 人" in await zhang.say("branch:第一支部")


async def test_member_registering_after_publish_still_gets_the_lesson(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    lesson_id = await publish(env, min_read=0)
    li = await env.join(103, "李强", "1003")
    await env.tick()
    assert len(_lesson_messages(li)) == 1
    await env.tick()
    assert len(_lesson_messages(li)) == 1 and len(_lesson_messages(wang)) == 1
    async with env.db.session() as s:
        figures = await lessons.lesson_figures(s, lesson_id)
    assert (figures.audience, figures.delivered) == (3, 2)  # Zhang never registered


async def test_lesson_due_at_night_waits_for_the_morning(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    clock.advance(hours=14)  # 23:00 local
    await publish(env, min_read=0)
    assert _lesson_messages(wang) == []
    clock.advance(hours=9, minutes=1)
    await env.tick()
    assert len(_lesson_messages(wang)) == 1

