"""Answers before the meeting: the member's invitation shows their answer and keeps its buttons; the host and the
branch secretary see who confirmed, who asked for leave (and why) and who has not answered; reminders say when."""
from __future__ import annotations

from datetime import timedelta

import pytest

from messages import render
from storage import members, orglife
from storage.errors import Refused
from storage.orglife.people import named
from tests.support.botenv import DEMO_ROSTER
from tests.support.orglife import DAY, four_members, invited, local, plan
from tests.support.refusals import refusal, snapshot


def _invitation(person) -> dict:
    return next(m for m in person.messages if "通知】" in (m.get("text") or ""))


def _labels(message: dict) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def test_the_invitation_shows_the_members_answer_and_keeps_the_buttons_to_change_it(env):
    zhang, wang, sun, zhou = await four_members(env)
    meeting = await plan(env)
    await env.tick()
    press = await wang.press("参加")
    assert press.toast.startswith("已确认参加")
    card = _invitation(wang)
    assert card["text"].endswith("您的回复：参加")
    assert _labels(card) == ["参加", "请假", "签到"]

    await wang.press("请假", card)
    assert "已请假" in await wang.say("去外地出差")
    card = _invitation(wang)
    assert card["text"].endswith("您的回复：请假（事由：去外地出差）")
    assert "您的回复：参加" not in card["text"] and _labels(card) == ["参加", "请假", "签到"]
    assert sum("通知】" in t for t in wang.texts()) == 1  # edited, not sent again

    await wang.press("参加", card)
    assert _invitation(wang)["text"].endswith("您的回复：参加")
    assert ("1002", "attend", None) in await invited(env, meeting)
    assert "您的回复" not in _invitation(sun)["text"]  # the others' invitations are their own


async def test_the_host_sees_who_confirmed_asked_for_leave_and_has_not_answered(env):
    zhang, wang, sun, zhou = await four_members(env)
    await plan(env)  # hosted by 张伟, the branch secretary
    await env.tick()
    await wang.press("参加")
    await sun.press("请假")
    await sun.say("孩子生病")
    assert "回复情况" in _labels(_invitation(zhang)) and "回复情况" not in _labels(_invitation(wang))
    lines = (await zhang.press("回复情况")).text.splitlines()
    assert lines[0] == "【回复情况】第一支部 2026-12-15 14:30 党员大会“学习全会精神”"
    assert lines[1] == "应邀 4 人：确认参加 1 人，请假 1 人，未回复 2 人。"
    assert lines[2:5] == ["确认参加：王芳", "请假：孙丽（孩子生病）", "未回复：张伟、周杰"]


async def test_the_branch_secretary_sees_the_replies_of_a_meeting_someone_else_hosts(env):
    zhang, wang, sun, zhou = await four_members(env)
    await plan(env, host="1002")  # 王芳 hosts; 张伟 is the branch's secretary
    await env.tick()
    await zhou.press("参加")
    assert _labels(_invitation(zhang)) == ["参加", "请假", "签到", "回复情况"]
    assert "回复情况" in _labels(_invitation(wang)) and "回复情况" not in _labels(_invitation(sun))
    assert "确认参加：周杰" in (await zhang.press("回复情况")).text
    assert "确认参加：周杰" in (await wang.press("回复情况")).text


async def test_a_member_forging_the_replies_button_is_refused_and_nothing_changes(env):
    zhang, wang, sun, zhou = await four_members(env)
    meeting = await plan(env)
    await env.tick()
    before = await snapshot(env.db)
    press = await sun.press_data(f"olm:{meeting}:replies", _invitation(sun))
    assert press.toast == refusal("zh", "not_allowed")
    assert await snapshot(env.db) == before
    assert not any("回复情况】" in t for t in sun.texts())


async def test_a_secretary_who_plans_in_the_chat_gets_the_replies_button_with_the_confirmation(env):
    zhang, wang, sun, zhou = await four_members(env)
    await zhang.send("/newmeeting")
    await zhang.press("党课")
    await zhang.say("明天下午3点")
    await zhang.say("党员活动室")
    await zhang.say("学习党章")
    await zhang.say("王芳")
    await env.tick()
    await sun.press("参加")
    planned = next(m for m in zhang.messages if "已安排党课" in (m.get("text") or ""))
    assert "确认参加：孙丽" in (await zhang.press("回复情况", planned)).text


# --- reminders -----------------------------------------------------------------------------------------------

def _reminders(person) -> list[str]:
    return [t for t in person.texts() if t.startswith("【会议提醒】")]


async def test_a_meeting_planned_twenty_minutes_ahead_is_reminded_with_its_real_time(env, clock):
    zhang, wang, sun, zhou = await four_members(env)
    clock.set(local(DAY, 14, 10))
    await plan(env, at="2026-12-15 14:30")
    await env.tick()
    assert _reminders(wang) == ["【会议提醒】20 分钟后（今天 14:30）召开党员大会（第一支部）\n时间：2026-12-15 14:30\n"
                                "地点：党员活动室\n主题：学习全会精神"]


async def test_the_day_before_says_tomorrow_and_the_hour_before_says_the_minutes(env, clock):
    zhang, wang, sun, zhou = await four_members(env)
    await plan(env, at="2026-12-15 14:30")
    clock.set(local(DAY, 14, 30) - timedelta(hours=23))
    await env.tick()
    clock.set(local(DAY, 13, 30))
    await env.tick()
    first, second = _reminders(wang)
    assert first.startswith("【会议提醒】明天 14:30 召开党员大会")
    assert second.startswith("【会议提醒】60 分钟后（今天 14:30）召开党员大会")


async def test_a_meeting_later_today_is_not_called_tomorrow(env, clock):
    zhang, wang, sun, zhou = await four_members(env)
    clock.set(local(DAY, 9))
    await plan(env, at="2026-12-15 18:00")
    await env.tick()
    assert _reminders(wang)[0].startswith("【会议提醒】今天 18:00 召开党员大会")


# --- storage ------------------------------------------------------------------------------------------------

async def test_the_replies_list_at_most_eighty_names_each_and_count_everyone(env):
    roster = DEMO_ROSTER + "".join(f"{2000 + i},党员{i:03d},生产部,第一支部,是,employee\n" for i in range(100))
    await env.import_roster(roster)
    meeting = await plan(env)
    async with env.db.session() as s:
        for i in range(90):
            await orglife.attend(s, env.ctx, await members.by_employee_no(s, str(2000 + i)), meeting)
        await orglife.ask_leave(s, env.ctx, await members.by_employee_no(s, "1002"), meeting, "出差" * 50)
    async with env.db.session() as s:
        seen = await orglife.replies(s, env.ctx, await members.by_employee_no(s, "1001"), meeting)
        with pytest.raises(Refused) as refused:
            await orglife.replies(s, env.ctx, await members.by_employee_no(s, "2000"), meeting)
    assert refused.value.template == "not_allowed"
    assert seen["invited"] == 102 and seen["counts"] == {"attend": 90, "leave": 1, "silent": 11}
    assert len(seen["attend"]) == 80 and len(seen["silent"]) == 11
    assert len(seen["leave"][0]["reason"]) == 60 and seen["leave"][0]["reason"].endswith("…")
    assert len(render("zh", "orglife_replies", **seen)) < 4096


async def test_a_name_is_looked_up_among_the_invitees_who_may_have_left_since(env):
    await env.import_roster(DEMO_ROSTER + "1008,王强,生产部,第二支部,是,employee\n")
    async with env.db.session() as s:
        wang = await members.by_employee_no(s, "1002")
        wang.active = False
        assert (await named(s, "王", "orglife_unknown_member", among={wang.id})).employee_no == "1002"
        assert (await named(s, "1002", "orglife_unknown_member", among={wang.id})).employee_no == "1002"
        assert (await named(s, "王", "orglife_unknown_host")).employee_no == "1008"  # the active one
        with pytest.raises(Refused) as refused:
            await named(s, "1002", "orglife_unknown_host")  # not active: not a host
        assert refused.value.template == "orglife_unknown_host"
