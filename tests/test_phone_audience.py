"""Issue 15, item 2: audiences in the reader's language. Wizards choose the audience with buttons
(全体 / 部门… / 支部… / 党员 / 角色…), typed audiences take the Chinese forms as well as the English ones, and an
audience is shown back as the reader says it, never as `unit:…`."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from messages import render
from storage import audiences, roster
from storage.errors import Refused
from storage.surveys import Survey
from tests.support.botenv import DEMO_ROSTER
from tests.support.refusals import snapshot

SHEET = "工号,姓名,部门,支部,党员,角色\n1,甲,生产部,第一支部,是,书记\n2,乙,财务部,第二支部,否,\n"


async def test_the_chinese_forms_are_read_and_stored_in_the_one_written_form(db, ctx):
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(SHEET.encode(), "r.csv"))
    async with db.session() as s:
        assert await audiences.validate(s, "全体") == "all"
        assert await audiences.validate(s, "党员") == "party"
        assert await audiences.validate(s, "部门:生产部") == "unit:生产部"
        assert await audiences.validate(s, "支部：第一支部，角色:书记") == "branch:第一支部,role:secretary"
        assert await audiences.validate(s, "unit:财务部, party") == "unit:财务部,party"
        assert [m.name for m in await audiences.members(s, "角色:书记")] == ["甲"]
        for bad in ("角色:厨师", "部门", "大家"):
            with pytest.raises(Refused) as err:
                await audiences.validate(s, bad)
            assert err.value.template == "audience_invalid"


def test_an_audience_is_shown_in_the_readers_language():
    assert render("zh", "survey_published", title="t", survey_id=1, audience="unit:生产部,role:secretary",
                  closes=None, anonymous=True, invites=None).count("部门：生产部、角色：书记") == 1
    en = render("en", "survey_published", title="t", survey_id=1, audience="all", closes=None, anonymous=True,
                invites=None)
    assert "to everyone" in en


async def quick_poll(person, question="周五下午组织什么活动？", options="羽毛球|读书会|观影"):
    await person.send("/newsurvey")
    await person.send(question)
    return await person.say(options)


async def test_a_secretary_picks_a_branch_from_the_list_and_sees_it_in_chinese(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    assert "发给谁" in await quick_poll(zhang)
    listed = (await zhang.press("支部…")).new[-1]
    assert "请选择支部" in listed["text"]
    assert [b["text"] for row in listed["reply_markup"]["inline_keyboard"] for b in row] == ["第一支部", "第二支部"]
    assert "截止" in (await zhang.press("第一支部")).text
    confirm = await zhang.say("2026-12-05")
    assert "范围：支部：第一支部" in confirm and "branch" not in confirm
    published = (await zhang.press("发布")).text
    assert "发给 支部：第一支部" in published and "branch" not in published
    async with env.db.session() as s:
        assert (await s.execute(select(Survey.audience))).scalar_one() == "branch:第一支部"


async def test_a_role_is_chosen_with_buttons_and_a_typed_chinese_audience_is_taken(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    await quick_poll(zhang)
    await zhang.press("角色…")
    await zhang.press("书记")
    assert "范围：角色：书记" in await zhang.say("2026-12-05")
    await zhang.send("/cancel")

    await quick_poll(zhang)
    await zhang.say("部门:生产部，党员")
    assert "范围：部门：生产部、党员" in await zhang.say("2026-12-05")


async def test_a_bad_typed_audience_is_refused_in_chinese_and_nothing_changes(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    await quick_poll(zhang)
    before = await snapshot(env.db)
    reply = await zhang.say("角色:厨师")
    assert "范围“角色:厨师”写法不对" in reply and "all" not in reply
    assert await snapshot(env.db) == before


async def test_a_reception_day_for_a_typed_chinese_department(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    for answer in ("/newreception", "赵磊", "2026-12-15", "14:00-15:00"):
        await zhang.say(answer)
    assert "第 5 步" in await zhang.say("办公楼 301")
    assert "可预约范围：部门：生产部。" in await zhang.say("部门:生产部")


async def test_in_english_the_audience_is_chosen_and_shown_in_english(env):
    await env.import_roster(DEMO_ROSTER)
    liu = await env.join(104, "刘洋", "1004", lang="en")
    await quick_poll(liu, "Friday afternoon?", "badminton|reading")
    await liu.press("Department…")
    await liu.press("生产部")
    confirm = await liu.say("2026-12-05")
    assert "Audience: department 生产部" in confirm and "unit:" not in confirm
    published = (await liu.press("Publish")).text
    assert "to department 生产部" in published
    await quick_poll(liu, "Saturday?", "yes|no")
    await liu.say("党员")  # the Chinese form works whatever the reader's language
    assert "Audience: Party members" in await liu.say("2026-12-05")
