"""Registration and roles, as people would meet them in the chat."""
from __future__ import annotations

from datetime import timedelta

from tests.support.botenv import DEMO_ROSTER
from tests.support.refusals import refusal, snapshot


async def test_employee_registers_with_invite_code_and_gets_their_menu(env):
    codes = await env.import_roster(DEMO_ROSTER)
    wang = env.person(201, "王芳")
    reply = await wang.say(f"/start {codes['1002']}")
    assert "登记成功" in reply and "王芳" in reply
    assert "/tasks" in reply and "/inbox" not in reply
    assert "tasks" in wang.menu() and "overdue" not in wang.menu()
    reply = await wang.say("/help")
    assert "/feedback" in reply and "/newtask" not in reply


async def test_secretary_menu_includes_staff_commands(env):
    codes = await env.import_roster(DEMO_ROSTER)
    zhang = env.person(202, "张伟")
    await zhang.send(f"/start {codes['1001']}")
    assert {"overdue", "inbox", "newtask"} <= set(zhang.menu())
    assert "roster" not in zhang.menu()


async def test_english_speaker_gets_english(env):
    codes = await env.import_roster(DEMO_ROSTER)
    emily = env.person(203, "Emily", lang="en-GB")
    reply = await emily.say(f"/start {codes['1007']}")
    assert "You are registered" in reply


async def test_wrong_used_and_expired_codes_are_refused_clearly(env, clock):
    codes = await env.import_roster(DEMO_ROSTER)
    stranger = env.person(301, "陌生人")
    assert "邀请码不正确" in await stranger.say("/start WRONGCODE1")
    wang = env.person(201, "王芳")
    await wang.send(f"/start {codes['1002']}")
    assert "已被使用" in await stranger.say(f"/start {codes['1002']}")
    clock.advance(days=31)
    assert "已过期" in await stranger.say(f"/start {codes['1003']}")
    # The stranger is still a stranger.
    assert "邀请码" in await stranger.say("/tasks")


async def test_stranger_gets_only_the_registration_prompt(env):
    stranger = env.person(302, "Stranger", lang="en")
    for text in ("/help", "/tasks", "/overdue", "hello", "/roster"):
        assert "register" in (await stranger.say(text))
    press = await stranger.press_data("tsk:1:done")
    assert "register" in press.text or "register" in press.toast


async def test_employee_cannot_reach_a_staff_action_even_with_forged_callback(env):
    codes = await env.import_roster(DEMO_ROSTER)
    wang = env.person(201, "王芳")
    await wang.send(f"/start {codes['1002']}")
    assert "仅限" in await wang.say("/roster")
    before = await snapshot(env.db)
    press = await wang.press_data("inb:1:take")
    assert press.toast == refusal("zh", "not_allowed")
    assert await snapshot(env.db) == before


async def test_admin_from_environment_is_admin_on_first_message(env):
    admin = env.admin()
    reply = await admin.say("/help")
    assert "/roster" in reply
    assert "roster" in admin.menu()


async def test_admin_imports_roster_in_chat_and_gets_codes_sheet(env):
    admin = env.admin()
    new = await admin.upload("名单.csv", DEMO_ROSTER.encode("utf-8-sig"), caption="/roster")
    assert any("新增 7 人" in (m.get("text") or "") for m in new)
    sheet = [m for m in new if "document" in m]
    assert sheet, "the invite codes come back as a CSV"
    content = env.fake.files[sheet[0]["document"]["file_id"]][1].decode("utf-8-sig")
    assert content.splitlines()[0] == "employee_no,name,invite_code,invite_link"
    assert "https://t.me/tongxin_bot?start=" in content


async def test_bad_roster_is_refused_whole_with_row_numbers(env):
    admin = env.admin()
    bad = "工号,姓名,部门,党员,角色\n1001,张伟,生产部,是,书记\n1001,王芳,生产部,否,\n1003,,生产部,maybe,boss\n"
    new = await admin.upload("bad.csv", bad.encode("gb18030"), caption="/roster")
    text = new[-1]["text"]
    assert "第 3 行" in text and "第 4 行" in text and "什么也没有改变" in text
    from sqlalchemy import func, select

    from storage.models.org import Member

    async with env.db.session() as s:
        count = (await s.execute(select(func.count(Member.id)).where(Member.employee_no == "1001"))).scalar_one()
    assert count == 0
