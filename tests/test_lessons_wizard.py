"""/newlesson edge cases through the fake Bot API: formatting typed in Telegram, a role lost mid-flow,
and strangers, who get nothing of the lessons whatever they send or press."""
from __future__ import annotations

from sqlalchemy import func, select

from storage.models.dialogs import Dialog
from storage.lessons import Lesson, LessonAssignment
from storage.models.org import Member
from tests.support.botenv import DEMO_ROSTER
from tests.support.lessons import publish, send_formatted, utf16


async def _people(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    return zhang, wang


async def test_formatting_typed_in_telegram_reaches_members_as_formatting(env):
    zhang, wang = await _people(env)
    await zhang.send("/newlesson")
    # Typed as "**八项义务**" and "[党章全文](https://…)": the client sent plain text with entities.
    text = ("# 学习党章\n\n党章规定了党员的八项义务。\n更多内容见党章全文。\n\n"
            "## Quiz\nQ: 几项义务？\n- [ ] 六项\n- [x] 八项\n")
    entities = [{"type": "bold", **dict(zip(("offset", "length"), utf16(text, "八项义务")))},
                {"type": "text_link", "url": "https://www.12371.cn/special/dz/",
                 **dict(zip(("offset", "length"), utf16(text, "党章全文")))}]
    reply = await send_formatted(env, zhang, text, entities)
    assert "发给谁" in reply[-1]["text"]
    await zhang.press("本支部")
    await zhang.press("立即发布")
    preview = await zhang.press("不设截止")
    assert any("<b>八项义务</b>" in m["text"] for m in preview.new), "the preview shows the formatting"
    await zhang.press("发布")
    await env.tick()

    pushed = [m for m in wang.messages if "学习党章" in (m.get("text") or "")]
    assert len(pushed) == 1
    assert "<b>八项义务</b>" in pushed[0]["text"]
    assert '<a href="https://www.12371.cn/special/dz/">党章全文</a>' in pushed[0]["text"]
    assert "**" not in pushed[0]["text"]


async def test_a_secretary_who_loses_the_role_mid_flow_is_stopped_and_the_flow_ends(env):
    zhang, wang = await _people(env)
    await zhang.send("/newlesson")
    async with env.db.session() as s:
        member = (await s.execute(select(Member).where(Member.employee_no == "1001"))).scalar_one()
        member.roles = "employee"
    assert "仅限书记或管理员" in await zhang.say("# 标题\n正文")
    async with env.db.session() as s:
        assert (await s.execute(select(func.count()).select_from(Dialog))).scalar_one() == 0, \
            "the flow is over, not left to answer every later message"
        assert (await s.execute(select(func.count()).select_from(Lesson))).scalar_one() == 0
    assert (await zhang.press_data("lsw:0:publish")).toast


async def test_a_stranger_gets_only_the_registration_prompt_whatever_they_send_or_press(env):
    zhang, wang = await _people(env)
    lesson_id = await publish(env, min_read=0)
    stranger = env.person(999, "路人")
    assert "邀请码" in await stranger.say("/lessons")
    assert "邀请码" in await stranger.say("/newlesson")
    for data in (f"les:{lesson_id}:learned", f"les:{lesson_id}:open", f"les:{lesson_id}:quiz", "quz:1:0.1",
                 "lsw:0:publish"):
        press = await stranger.press_data(data)
        assert all("学习党章" not in (m.get("text") or "") for m in press.new), data
        assert "学习党章" not in press.toast
    assert all("学习党章" not in t for t in stranger.texts())
    async with env.db.session() as s:
        learned = (await s.execute(select(func.count()).select_from(LessonAssignment)
                                   .where(LessonAssignment.learned_at.is_not(None)))).scalar_one()
    assert learned == 0


async def test_a_lesson_timed_into_quiet_hours_says_when_members_will_actually_get_it(env, clock):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zhang, wang = await _people(env)
    clock.set(datetime(2026, 12, 3, 21, 50, tzinfo=ZoneInfo("Asia/Shanghai")))
    await zhang.send("/newlesson")
    await zhang.say("# 学习党章\n\n党章规定了党员的八项义务。")
    await zhang.press("本支部")
    asked = await zhang.say("2026-12-03 22:03")
    assert "2026-12-03 22:03（处于免打扰时段，将于 2026-12-04 08:00 发给成员）" in asked
    preview = await zhang.press("不设截止")
    assert "将于 2026-12-04 08:00 发给成员" in preview.new[-1]["text"]
    done = await zhang.press("发布")
    assert "2026-12-03 22:03 处于免打扰时段，将于 2026-12-04 08:00 发给成员" in done.text
    clock.set(datetime(2026, 12, 3, 22, 4, tzinfo=ZoneInfo("Asia/Shanghai")))
    await env.tick()
    assert not any("学习党章" in t for t in wang.texts())
    clock.set(datetime(2026, 12, 4, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    await env.tick()
    assert any("学习党章" in t for t in wang.texts())
