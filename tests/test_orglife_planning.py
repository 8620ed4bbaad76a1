"""/newmeeting as admins and secretaries of several branches meet it, and the meeting's time as people type it.
The harness's "now" is Thursday 2026-12-03, 09:00 in Shanghai."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from storage.errors import Refused
from storage.models.org import Unit
from storage.orglife import Meeting
from storage.orglife.when import parse_at
from tests.support.botenv import DEMO_ROSTER
from tests.support.orglife import local
from tests.support.refusals import refusal, snapshot

# 孙丽 is secretary of 机关党总支, with 第四支部 and 第五支部 under it: three branches to choose from.
ROSTER = DEMO_ROSTER + ("1010,孙丽,机关,机关党总支,是,secretary\n1011,周杰,机关,机关党总支/第四支部,是,employee\n"
                        "1012,吴敏,机关,机关党总支/第五支部,是,employee\n")


def _labels(message: dict) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def _meetings(env) -> list[tuple[str, str, datetime]]:
    async with env.db.session() as s:
        rows = (await s.execute(select(Unit.name, Meeting.kind, Meeting.starts_at)
                                .join(Unit, Unit.id == Meeting.branch_id).order_by(Meeting.id))).all()
    return [tuple(r) for r in rows]


async def test_an_admin_chooses_the_branch_from_buttons_then_plans_as_a_secretary_would(env):
    await env.import_roster(ROSTER)
    await env.join(101, "张伟", "1001")
    admin = env.admin()
    reply = (await admin.send("/newmeeting"))[-1]
    assert "请选择要安排会议的支部" in reply["text"]
    assert sorted(_labels(reply)) == sorted(["第一支部", "第二支部", "机关党总支", "第四支部", "第五支部"])
    press = await admin.press("第二支部")
    assert "为第二支部安排会议" in press.new[0]["text"] and "请选择会议类型" in press.text
    await admin.press("党课")
    await admin.say("明天下午3点")
    await admin.say("党员活动室")
    await admin.say("学习党章")
    assert "已安排党课" in await admin.say("刘洋")
    assert await _meetings(env) == [("第二支部", "党课", local(date(2026, 12, 4), 15).astimezone(timezone.utc))]


async def test_a_secretary_of_several_branches_chooses_among_theirs_only(env):
    await env.import_roster(ROSTER)
    sun = await env.join(110, "孙丽", "1010")
    reply = (await sun.send("/newmeeting"))[-1]
    assert sorted(_labels(reply)) == sorted(["机关党总支", "第四支部", "第五支部"])
    before = await snapshot(env.db)
    assert await sun.say("第一支部") == refusal("zh", "orglife_not_your_branch", branch="第一支部")
    assert await snapshot(env.db) == before
    assert "为第五支部安排会议" in (await sun.press("第五支部")).new[0]["text"]  # the question still open
    await sun.press("主题党日")
    await sun.say("后天下午2点半")
    await sun.say("会议室")
    await sun.say("参观")
    assert "已安排主题党日" in await sun.say("吴敏")
    assert await _meetings(env) == [("第五支部", "主题党日", local(date(2026, 12, 5), 14, 30).astimezone(timezone.utc))]


async def test_a_branch_may_be_typed_instead_of_pressed(env):
    await env.import_roster(ROSTER)
    admin = env.admin()
    await admin.send("/newmeeting")
    replies = await admin.send("第四支部")
    assert "为第四支部安排会议" in replies[0]["text"] and "请选择会议类型" in replies[-1]["text"]
    await admin.send("/newmeeting")
    before = await snapshot(env.db)
    assert await admin.say("第九支部") == refusal("zh", "audience_unknown_unit", kind="branch", name="第九支部")
    assert await snapshot(env.db) == before


async def test_a_secretary_of_one_branch_is_not_asked(env):
    await env.import_roster(ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    replies = await zhang.send("/newmeeting")
    assert "为第一支部安排会议" in replies[0]["text"] and "请选择会议类型" in replies[-1]["text"]


async def test_a_member_without_any_branch_to_answer_for_is_refused(env):
    await env.import_roster(DEMO_ROSTER + "1010,钱多,办公室,,否,secretary\n")
    qian = await env.join(110, "钱多", "1010")
    before = await snapshot(env.db)
    assert await qian.say("/newmeeting") == refusal("zh", "orglife_no_branch")
    assert await snapshot(env.db) == before


# --- the time ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, local_time", [
    ("明天下午三点", (4, 15, 0)), ("明天下午3点", (4, 15, 0)), ("下午2:30", (3, 14, 30)), ("今天15:00", (3, 15, 0)),
    ("后天上午9点", (5, 9, 0)), ("后天上午9点半", (5, 9, 30)), ("明天 14：30", (4, 14, 30)), ("今晚7点", (3, 19, 0)),
    ("明天晚上七点一刻", (4, 19, 15)), ("大后天10点", (6, 10, 0)), ("12月18日 下午2点", (18, 14, 0)),
    ("12-15 14:30", (15, 14, 30)), ("12月18日 15点", (18, 15, 0)), ("2026-12-18 03:00", (18, 3, 0)),
    ("中午12点", (3, 12, 0)), ("明天十点零五分", (4, 10, 5)), ("12月18日", (18, 9, 0)),
    # Thursday 3 December: the coming weekday, today included; 本周 this week's, 下周 next week's
    ("周五下午三点", (4, 15, 0)), ("星期四下午3点", (3, 15, 0)), ("周三 14:30", (9, 14, 30)),
    ("礼拜天上午10点", (6, 10, 0)), ("星期日上午十点", (6, 10, 0)), ("下周一上午9点半", (7, 9, 30)),
    ("下星期四10点", (10, 10, 0)), ("本周六上午9点", (5, 9, 0)), ("这周五晚上7点", (4, 19, 0)),
])
def test_the_common_chinese_forms_of_a_time_are_read(ctx, typed, local_time):
    day, hour, minute = local_time
    assert parse_at(typed, ctx) == local(date(2026, 12, day), hour, minute).astimezone(timezone.utc)


@pytest.mark.parametrize("typed, template", [
    ("明天", "orglife_bad_time"), ("下午", "orglife_bad_time"), ("明天下午", "orglife_bad_time"),
    ("下周", "orglife_bad_time"), ("明天25点", "orglife_bad_time"), ("上午13点", "orglife_bad_time"),
    ("明天3点", "orglife_time_ambiguous"), ("后天2:30", "orglife_time_ambiguous"), ("今天上午8点", "orglife_in_past"),
    ("12月2日 15点", "orglife_in_past"), ("2月30日 10点", "orglife_bad_time"), ("明天10点61分", "orglife_bad_time"),
    ("周五", "orglife_bad_time"), ("周五3点", "orglife_time_ambiguous"), ("周四上午8点", "orglife_in_past"),
    ("本周三下午3点", "orglife_in_past"), ("周八下午3点", "orglife_bad_time"),
])
def test_other_times_are_refused_with_a_reason(ctx, typed, template):
    with pytest.raises(Refused) as refused:
        parse_at(typed, ctx)
    assert refused.value.template == template


async def test_the_wizard_refuses_a_past_or_unreadable_time_and_the_question_stands(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    await zhang.send("/newmeeting")
    await zhang.press("党课")
    before = await snapshot(env.db)
    assert await zhang.say("今天上午8点") == refusal("zh", "orglife_in_past", value="今天上午8点")
    assert await zhang.say("明天3点") == refusal("zh", "orglife_time_ambiguous", value="明天3点")
    assert await zhang.say("下周吧") == refusal("zh", "orglife_bad_time", value="下周吧")
    assert await snapshot(env.db) == before
    assert "地点" in await zhang.say("下周一上午9点")
    await zhang.say("党员活动室")
    await zhang.say("学习党章")
    assert "已安排党课：2026-12-07 09:00" in await zhang.say("1001")
