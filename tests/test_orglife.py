"""Organisational life (三会一课, 主题党日) as secretaries, hosts and members meet it in the chat."""
from __future__ import annotations

from datetime import date

from sqlalchemy import update

from storage.models.org import Member

from tests.support.botenv import DEMO_ROSTER
from tests.support.orglife import DAY, invited, local, plan, present
from tests.support.refusals import refusal, snapshot


async def _people(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")  # secretary of 第一支部, Party member
    wang = await env.join(201, "王芳", "1002")  # Party member of 第一支部
    li = await env.join(301, "李强", "1003")  # 第一支部, not a Party member
    liu = await env.join(401, "刘洋", "1004")  # secretary of 第二支部
    return zhang, wang, li, liu


def _invitations(person) -> list[str]:
    return [t for t in person.texts() if "通知】" in t]


async def test_invitations_go_only_to_the_branchs_party_members_and_the_committee_meeting_only_to_the_committee(env):
    zhang, wang, li, liu = await _people(env)
    general = await plan(env, kind="党员大会")
    await env.tick()
    assert len(_invitations(zhang)) == 1 and len(_invitations(wang)) == 1
    assert "【党员大会通知】第一支部" in _invitations(wang)[0] and "学习全会精神" in _invitations(wang)[0]
    assert _invitations(li) == [] and _invitations(liu) == []
    assert [no for no, _, _ in await invited(env, general)] == ["1001", "1002"]

    committee = await plan(env, kind="支委会", topic="研究发展党员")
    await env.tick()
    assert len(_invitations(zhang)) == 2 and len(_invitations(wang)) == 1
    assert [no for no, _, _ in await invited(env, committee)] == ["1001"]


async def test_leave_needs_a_reason_and_answers_change_until_the_start(env, clock):
    zhang, wang, li, liu = await _people(env)
    meeting = await plan(env)
    await env.tick()
    press = await wang.press("请假")
    assert "请输入请假事由" in press.text
    before = await snapshot(env.db)
    await wang.photo(b"\xff\xd8 not a reason")
    assert wang.texts()[-1] == refusal("zh", "orglife_reason_required")
    assert await snapshot(env.db) == before
    assert await wang.say("   ") == refusal("zh", "orglife_reason_required")
    assert await snapshot(env.db) == before

    assert "已请假" in await wang.say("出差在外地")
    assert await invited(env, meeting) == [("1001", None, None), ("1002", "leave", "出差在外地")]
    press = await wang.press("参加")
    assert "已确认参加" in press.toast
    assert await invited(env, meeting) == [("1001", None, None), ("1002", "attend", None)]

    clock.set(local(DAY, 14, 30))
    before = await snapshot(env.db)
    press = await wang.press("请假")
    assert press.toast == refusal("zh", "orglife_answers_closed")
    assert await snapshot(env.db) == before


async def test_check_in_by_code_only_in_the_window_only_for_the_audience_and_once(env, clock):
    zhang, wang, li, liu = await _people(env)
    meeting = await plan(env, host="1001")
    await env.tick()

    before = await snapshot(env.db)
    press = await zhang.press("显示签到码")
    assert press.toast == refusal("zh", "orglife_outside_window")
    assert await wang.say("/checkin 123456") == refusal("zh", "orglife_outside_window")
    assert await snapshot(env.db) == before

    clock.set(local(DAY, 14, 25))
    press = await zhang.press("显示签到码")
    code = press.text.split("当前签到码：")[1].split()[0]
    assert len(code) == 6 and code.isdigit()

    assert "签到成功" in await wang.say(f"/checkin {code}")
    before = await snapshot(env.db)
    assert await wang.say(f"/checkin {code}") == refusal("zh", "orglife_already_checked_in")
    assert await li.say(f"/checkin {code}") == refusal("zh", "orglife_not_invited")
    assert await liu.say(f"/checkin {code}") == refusal("zh", "orglife_not_invited")
    wrong = "000000" if code != "000000" else "111111"
    assert await zhang.say(f"/checkin {wrong}") == refusal("zh", "orglife_bad_code", value=wrong)
    assert await snapshot(env.db) == before

    clock.set(local(DAY, 16, 31))  # the meeting ended at 16:30
    assert await zhang.say(f"/checkin {code}") == refusal("zh", "orglife_outside_window")
    assert await snapshot(env.db) == before
    assert await present(env, meeting) == [("1002", True, "code")]


async def test_the_check_in_button_works_only_while_the_host_has_opened_check_in(env, clock):
    zhang, wang, li, liu = await _people(env)
    meeting = await plan(env, host="1001")
    await env.tick()
    clock.set(local(DAY, 14, 35))
    before = await snapshot(env.db)
    invitation = [m for m in wang.messages if "通知】" in (m.get("text") or "")][0]
    press = await wang.press("签到", invitation)
    assert press.toast == refusal("zh", "orglife_checkin_not_open")
    press = await wang.press_data(f"olm:{meeting}:open")  # only the host opens it
    assert press.toast == refusal("zh", "not_allowed")
    assert await snapshot(env.db) == before

    press = await zhang.press("开启签到")
    assert "已开启" in press.toast
    press = await wang.press("签到", invitation)
    assert "签到成功" in press.toast
    press = await wang.press("签到", invitation)
    assert press.toast == refusal("zh", "orglife_already_checked_in")
    press = await li.press_data(f"olm:{meeting}:checkin")
    assert press.toast == refusal("zh", "orglife_not_invited")
    assert await present(env, meeting) == [("1002", True, "button")]


async def test_a_secretary_plans_a_meeting_with_newmeeting(env):
    zhang, wang, li, liu = await _people(env)
    await zhang.send("/newmeeting")
    assert "第一支部" in zhang.texts()[-2]
    press = await zhang.press("主题党日")
    assert "请输入会议时间" in press.text
    assert await zhang.say("明天下午") == refusal("zh", "orglife_bad_time", value="明天下午")
    assert "地点" in await zhang.say("2026-12-18 15:00")
    assert "主题" in await zhang.say("红色教育基地")
    assert "主持人" in await zhang.say("参观红色教育基地")
    press = await zhang.press("由我主持")
    assert "已安排主题党日" in press.text and "已向 2 人发出通知" in press.text
    await env.tick()
    assert "【主题党日通知】第一支部" in _invitations(wang)[0]
    assert _invitations(li) == []

    before = await snapshot(env.db)
    assert await wang.say("/newmeeting") == refusal("zh", "not_allowed")
    assert await snapshot(env.db) == before


async def test_reminders_the_day_before_and_one_hour_before_not_to_those_on_leave(env, clock):
    zhang, wang, li, liu = await _people(env)
    await plan(env)
    await env.tick()
    await wang.press("请假")
    await wang.say("出差")
    clock.set(local(date(2026, 12, 14), 15))
    await env.tick()
    await env.tick()
    assert sum("明天 14:30 召开党员大会" in t for t in zhang.texts()) == 1
    assert not any("会议提醒" in t for t in wang.texts())
    clock.set(local(DAY, 13, 40))
    await env.tick()
    assert sum("50 分钟后（今天 14:30）召开党员大会" in t for t in zhang.texts()) == 1
    assert not any("会议提醒" in t for t in wang.texts())


async def test_a_branch_without_its_committee_meeting_is_warned_ten_days_before_month_end_once_and_admins_hear_after(
        env, clock):
    zhang, wang, li, liu = await _people(env)
    admin = env.admin()
    await admin.send("/help")
    await plan(env, branch="第二支部", kind="支委会", at="2026-12-28 10:00", host="1004")

    clock.set(local(date(2026, 12, 20), 10))
    await env.tick()
    assert not any("组织生活提醒" in t for t in zhang.texts())

    clock.set(local(date(2026, 12, 21), 10))
    await env.tick()
    await env.tick()
    warned = [t for t in zhang.texts() if "组织生活提醒" in t and "支委会" in t]
    assert len(warned) == 1 and "第一支部2026年12月应召开支委会 1 次，目前 0 次" in warned[0]
    assert not any("组织生活提醒" in t and "支委会" in t for t in liu.texts())  # 第二支部 has one planned

    clock.set(local(date(2027, 1, 2), 10))
    await env.tick()
    await env.tick()
    missed = [t for t in admin.texts() if "组织生活预警" in t and "支委会" in t]
    assert len(missed) == 1 and "第一支部" in missed[0] and "第二支部" not in missed[0]
    assert sum("组织生活提醒" in t and "支委会" in t for t in zhang.texts()) == 1


async def test_orglife_shows_the_branchs_year_at_a_glance(env, clock):
    zhang, wang, li, liu = await _people(env)
    await plan(env, kind="党员大会")
    await env.tick()
    clock.set(local(DAY, 14, 30))
    await zhang.press("显示签到码")
    code = zhang.texts()[-1].split("当前签到码：")[1].split()[0]
    await wang.say(f"/checkin {code}")
    clock.set(local(date(2026, 12, 20), 9))
    text = await zhang.say("/orglife")
    assert "第一支部2026年组织生活一览" in text
    assert "党员大会：已开 1/4，出席率 50%" in text and "支委会：已开 0/12" in text
    assert await wang.say("/orglife") == refusal("zh", "not_allowed")


async def test_the_minutes_reminder_goes_daily_to_host_and_secretary_and_stops_once_minutes_exist(env, clock):
    zhang, wang, li, liu = await _people(env)
    meeting = await plan(env, host="1002")  # 王芳 hosts; 张伟 is the branch's secretary
    await env.tick()
    clock.set(local(DAY, 14, 35))
    press = await wang.press_data(f"olm:{meeting}:minutes")
    assert "请发送党员大会" in press.text
    before = await snapshot(env.db)
    await wang.photo(b"\xff\xd8 not minutes")
    assert wang.texts()[-1] == refusal("zh", "orglife_minutes_required")
    assert await snapshot(env.db) == before
    await wang.send("/cancel")
    press = await li.press_data(f"olm:{meeting}:minutes")
    assert press.toast == refusal("zh", "not_allowed")

    clock.set(local(date(2026, 12, 16), 10))
    await env.tick()
    await env.tick()
    assert sum("会议记录提醒" in t for t in wang.texts()) == 1
    assert sum("会议记录提醒" in t for t in zhang.texts()) == 1
    assert "请于 2026-12-18 前提交" in [t for t in zhang.texts() if "会议记录提醒" in t][0]
    clock.set(local(date(2026, 12, 19), 10))
    await env.tick()
    assert "已超过 2026-12-18 的期限" in [t for t in zhang.texts() if "会议记录提醒" in t][-1]

    await wang.press("会议记录", [m for m in wang.messages if "会议记录提醒" in (m.get("text") or "")][-1])
    assert "已收到党员大会" in await wang.say("一、学习全会精神；二、讨论发展党员工作。")
    clock.set(local(date(2026, 12, 20), 10))
    await env.tick()
    assert sum("会议记录提醒" in t for t in zhang.texts()) == 2
    text = await zhang.say("/orglife")
    assert "缺会议记录" not in text


async def test_a_secretary_who_lost_the_role_mid_newmeeting_can_type_nothing_further_into_it(env):
    zhang, wang, li, liu = await _people(env)
    await zhang.send("/newmeeting")
    await zhang.press("党课")
    async with env.db.session() as s:
        await s.execute(update(Member).where(Member.employee_no == "1001").values(roles="employee"))
    before = await snapshot(env.db)
    assert await zhang.say("2026-12-18 15:00") == refusal("zh", "not_allowed")
    after = await snapshot(env.db)
    assert after["dialogs"] == [] and {k: v for k, v in after.items() if k != "dialogs"} == \
        {k: v for k, v in before.items() if k != "dialogs"}
