"""Issue 15, item 1: a secretary on a phone names people by name (or part of one) and picks units with
buttons. It is Thursday 2026-12-03 in Shanghai."""
from __future__ import annotations

from sqlalchemy import select

from storage.tasks import Task
from tests.support.phone import NINE_LIS, cast, dialog_step, task_count
from tests.support.refusals import snapshot


async def test_newtask_picks_the_lead_unit_and_the_owner_with_buttons(env):
    c = await cast(env)
    await c.zhang.send("/newtask")
    reply = (await c.zhang.send("安全检查"))[-1]
    assert "第 2 步" in reply["text"]
    units = [b["text"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert units == ["生产部"]  # only the units 张伟 answers for
    press = await c.zhang.press("生产部")
    assert "第 3 步" in press.text

    reply = (await c.zhang.send("王"))[-1]
    assert "与“王”匹配的成员有 3 位，请选择" in reply["text"]
    people = [b["text"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert "王芳 · 生产部 · 1002" in people and len(people) == 3
    press = await c.zhang.press("王芳 · 生产部 · 1002")
    assert "第 4 步" in press.text

    reply = (await c.zhang.send("2026-12-20"))[-1]
    assert "第 5 步" in reply["text"]
    press = await c.zhang.press("无")
    assert "责任人：王芳" in press.text and "配合部门：无" in press.text
    await c.zhang.press("创建任务")
    async with env.db.session() as s:
        task = (await s.execute(select(Task))).scalar_one()
    assert task.title == "安全检查" and task.owner_id is not None


async def test_a_full_name_or_an_employee_number_is_taken_at_once(env):
    c = await cast(env)
    await c.zhang.send("/newtask")
    await c.zhang.send("安全检查")
    await c.zhang.send("生产部")
    assert "第 4 步" in (await c.zhang.send("王芳"))[-1]["text"]
    await c.zhang.send("/cancel")
    await c.zhang.send("/newtask")
    await c.zhang.send("安全检查")
    await c.zhang.send("生产部")
    assert "第 4 步" in (await c.zhang.send("1003"))[-1]["text"]


async def test_a_name_matching_nobody_is_refused_and_the_question_stands(env):
    c = await cast(env)
    await c.zhang.send("/newtask")
    await c.zhang.send("安全检查")
    await c.zhang.send("生产部")
    before = await snapshot(env.db)
    reply = await c.zhang.say("赵六")
    assert "没有找到姓名或工号为“赵六”的成员" in reply
    assert await snapshot(env.db) == before
    assert await dialog_step(env, c.zhang) == "owner"


async def test_nine_matches_are_refused_asking_to_narrow_it_down(env):
    c = await cast(env, NINE_LIS)
    await c.zhang.send("/newtask")
    await c.zhang.send("安全检查")
    await c.zhang.send("生产部")
    before = await snapshot(env.db)
    reply = (await c.zhang.send("李"))[-1]
    assert "与“李”匹配的成员超过 8 位，请缩小范围" in reply["text"]
    assert not reply.get("reply_markup")
    assert await snapshot(env.db) == before
    assert await task_count(env) == 0


async def test_a_pressed_candidate_who_left_meanwhile_is_an_expired_button(env):
    c = await cast(env)
    await c.zhang.send("/newtask")
    await c.zhang.send("安全检查")
    await c.zhang.send("生产部")
    await c.zhang.send("王")
    press = await c.zhang.press_data("pck:999999:m.owner", c.zhang.find("王芳 · 生产部 · 1002"))
    assert press.toast == "这个按钮已失效。"
    assert await dialog_step(env, c.zhang) == "owner"
