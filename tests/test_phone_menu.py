"""Issue 15, item 3: after registration every member has a persistent menu keyboard with their role's main
actions; a label works as its command, and text that matches nothing gets the menu back."""
from __future__ import annotations

from tests.support.botenv import DEMO_ROSTER

EVERYONE_ZH = ["📋 任务", "📚 微党课", "📊 问卷", "💬 反映问题", "🗓 接待日"]
STAFF_ZH = ["📥 待办", "⏰ 逾期", "📈 指标"]


def labels(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("keyboard", []) for b in row]


async def test_an_employee_and_a_secretary_get_their_menus_when_they_register(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    zhang = await env.join(101, "张伟", "1001")
    assert "登记成功" in wang.last["text"] and labels(wang.last) == EVERYONE_ZH
    assert wang.last["reply_markup"].get("is_persistent") is True
    assert labels(zhang.last) == EVERYONE_ZH + STAFF_ZH


async def test_a_label_is_its_command_and_unknown_text_gets_the_menu_back(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    assert await wang.say("📋 任务") == await wang.say("/tasks")
    assert "微党课" in await wang.say("📚 微党课")
    reply = (await wang.send("你好"))[-1]
    assert "请点下面菜单中的功能" in reply["text"] and "没有看懂" not in reply["text"]
    assert labels(reply) == EVERYONE_ZH
    assert "仅限书记或管理员" in await wang.say("⏰ 逾期")  # a label is no way around the role check
    zhang = await env.join(101, "张伟", "1001")
    assert await zhang.say("⏰ 逾期") == await zhang.say("/overdue")


async def test_the_menu_changes_when_the_role_changes(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    admin = env.admin()
    await admin.send("/help")
    promoted = DEMO_ROSTER.replace("1002,王芳,生产部,第一支部,是,employee", "1002,王芳,生产部,第一支部,是,secretary")
    await admin.upload("roster.csv", promoted.encode("utf-8-sig"), caption="/roster")
    await env.tick()
    assert "菜单已更新" in wang.last["text"] and labels(wang.last) == EVERYONE_ZH + STAFF_ZH
    assert "仅限" not in await wang.say("⏰ 逾期")


async def test_in_english_the_menu_is_in_english(env):
    await env.import_roster(DEMO_ROSTER)
    emily = await env.join(107, "Emily Zhou", "1007", lang="en")
    assert labels(emily.last) == ["📋 Tasks", "📚 Lessons", "📊 Surveys", "💬 Feedback", "🗓 Reception"]
    assert await emily.say("📋 Tasks") == await emily.say("/tasks")
    assert "Please choose from the menu below" in await emily.say("hello")
