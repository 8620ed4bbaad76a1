"""Organisational life as a branch secretary on a phone first tried it: what they typed and expected to see.
The harness's "now" is 2026-12-03 in Shanghai."""
from __future__ import annotations

from sqlalchemy import select

from storage.models.org import Member
from storage.orglife import Meeting
from tests.support.botenv import DEMO_ROSTER
from tests.support.orglife import DAY, invited, local, plan
from tests.support.refusals import refusal, snapshot

# Two more 王s in 第一支部, so "王" names three people.
WANGS = DEMO_ROSTER + "1008,王强,生产部,第一支部,是,employee\n1009,王磊,生产部,第一支部,否,employee\n"


async def _secretary_at_the_host_question(env):
    await env.import_roster(WANGS)
    zhang = await env.join(101, "张伟", "1001")
    await env.join(201, "王芳", "1002")
    await zhang.send("/newmeeting")
    await zhang.press("党课")
    await zhang.say("2026-12-18 15:00")
    await zhang.say("党员活动室")
    assert "主持人的姓名" in await zhang.say("学习党章")
    return zhang


async def _host(env) -> str:
    async with env.db.session() as s:
        meeting = (await s.execute(select(Meeting))).scalar_one()
        return (await s.get(Member, meeting.host_id)).name


async def test_the_host_is_named_by_name_not_by_employee_number(env):
    zhang = await _secretary_at_the_host_question(env)
    reply = await zhang.say("王芳")
    assert "已安排党课" in reply and "主持人王芳" in reply
    assert await _host(env) == "王芳"


async def test_part_of_a_name_offers_the_matching_members_as_buttons(env):
    zhang = await _secretary_at_the_host_question(env)
    reply = (await zhang.send("王"))[-1]
    people = [b["text"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert "王芳 · 生产部 · 1002" in people and len(people) == 3
    press = await zhang.press("王强 · 生产部 · 1008")
    assert "已安排党课" in press.text and "主持人王强" in press.text
    assert await _host(env) == "王强"


async def test_a_host_matching_nobody_is_refused_and_the_question_stands(env):
    zhang = await _secretary_at_the_host_question(env)
    before = await snapshot(env.db)
    assert await zhang.say("赵六") == refusal("zh", "picker_no_member", value="赵六")
    assert await snapshot(env.db) == before
    assert "已安排党课" in await zhang.say("1001")


async def test_orglife_shows_one_line_per_kind(env, clock):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    await plan(env, kind="党员大会")
    clock.set(local(DAY, 18))
    lines = (await zhang.say("/orglife")).splitlines()
    assert lines[1] == "· 支委会：已开 0/12"
    assert lines[3].startswith("· 党员大会：已开 1/4，出席率 0%")
    assert len(lines) == 6


async def test_a_meeting_planned_for_later_is_not_counted_as_held(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    await plan(env, kind="党员大会")  # on 2026-12-15; today is 2026-12-03
    assert "· 党员大会：已开 0/4，另已安排 1 次" in await zhang.say("/orglife")
    assert "规定会议应开 10 次，已开 0 次" in await env.admin().say("/kpi")


async def test_the_attendance_card_shows_one_line_per_invitee(env, clock):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(201, "王芳", "1002")
    await plan(env, kind="党员大会")
    await env.tick()
    await wang.press("请假")
    await wang.say("去外地出差")
    clock.set(local(DAY, 15))
    press = await zhang.press("更正出勤")
    lines = press.text.splitlines()
    assert lines[0] == "【出勤更正】第一支部 2026-12-15 14:30 党员大会“学习全会精神”"
    assert lines[2] == "· 张伟（1001）：缺席" and lines[3] == "· 王芳（1002）：请假（去外地出差）"
    assert lines[4].startswith("按下面的按钮更正每人的出勤")


async def test_a_member_who_registers_after_the_meeting_was_planned_still_gets_the_invitation(env, clock):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    meeting = await plan(env, kind="党员大会")  # 王芳 is invited but has not registered with the bot yet
    await env.tick()
    clock.advance(hours=1)
    wang = await env.join(201, "王芳", "1002")
    await env.tick()
    await env.tick()
    invitations = [m for m in wang.messages if "【党员大会通知】第一支部" in (m.get("text") or "")]
    assert len(invitations) == 1
    press = await wang.press("参加", invitations[0])
    assert press.toast.startswith("已确认参加")
    assert ("1002", "attend", None) in await invited(env, meeting)
    assert sum("【党员大会通知】" in t for t in zhang.texts()) == 1  # the others are not invited twice


def _labels(message: dict) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def test_a_meeting_planned_without_a_host_is_run_by_the_branch_secretary(env, clock):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(201, "王芳", "1002")
    await plan(env, kind="党员大会", host=None)  # `meetings add` without --host
    await env.tick()
    assert "显示签到码" in _labels(zhang.last) and "会议记录" in _labels(zhang.last)
    assert _labels(wang.last) == ["参加", "请假", "签到"]
    clock.set(local(DAY, 14, 30))
    press = await zhang.press("显示签到码")
    assert "当前签到码：" in press.text


async def test_the_meeting_time_may_leave_out_the_year(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    await zhang.send("/newmeeting")
    await zhang.press("党课")
    assert "地点" in await zhang.say("12月18日 15点")
    await zhang.send("/cancel")
    await zhang.send("/newmeeting")
    await zhang.press("党课")
    assert "地点" in await zhang.say("12-18 15:00")
    await zhang.say("党员活动室")
    await zhang.say("学习党章")
    assert "已安排党课：2026-12-18 15:00" in await zhang.say("1001")
    await zhang.send("/newmeeting")
    await zhang.press("党课")
    before = await snapshot(env.db)
    assert await zhang.say("12-02 15:00") == refusal("zh", "orglife_in_past", value="12-02 15:00")  # not next year
    assert await snapshot(env.db) == before


async def test_the_host_is_told_to_check_in_too(env, clock):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    await plan(env, kind="党员大会")
    await env.tick()
    clock.set(local(DAY, 14, 30))
    assert "您本人也请用它签到" in (await zhang.press("显示签到码")).text
