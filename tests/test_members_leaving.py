"""Leaving members: an admin deactivates 王芳 from her /member card (or with `roster deactivate`); she drops
out of audiences, reminders and menus, her history stays, and her open task goes to 张伟 for reassignment."""
from __future__ import annotations


from sqlalchemy import select

from storage import audiences
from storage.models.org import Member
from storage.tasks import Task, TaskNote
from tests.support.refusals import refusal, snapshot
from tests.support.tasks import cast, import_tasks, texts_since
from tests.test_cli import run
from tests.test_tasks_cancel import at


async def test_an_admin_deactivates_a_member_who_then_drops_out_everywhere(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-06,", "T-2,整理台账,生产部,,1003,2026-12-06,")
    await env.tick()
    await c.wang.press("进展")  # a progress note: history that must stay
    await c.wang.say("已完成一半")

    card = await c.admin.send("/member 1002")
    assert "王芳" in card[-1]["text"] and "生产部" in card[-1]["text"] and "未完成任务：1 项" in card[-1]["text"]
    asked = await c.admin.press("停用")
    assert "确定停用" in asked.text and "王芳" in asked.text
    kept = await c.admin.press("不停用")
    assert "未停用 王芳" in kept.text
    await c.admin.send("/member 1002")
    await c.admin.press("停用")
    done = await c.admin.press("确认停用")
    assert "已停用 <b>王芳</b>（工号 1002）" in done.text and "[T-1] 安全培训" in done.text and "张伟" in done.text
    assert "T-2" not in done.text

    before = len(c.zhang.messages)
    await env.tick()
    notice = [t for t in texts_since(c.zhang, before) if "请改派" in t]
    assert len(notice) == 1 and "[T-1] 安全培训" in notice[0] and "原责任人 王芳" in notice[0]
    assert c.wang.menu() == []

    # Gone from audiences and reminders; her task and her note stay.
    async with env.db.session() as s:
        everyone = {m.employee_no for m in await audiences.members(s, "all")}
        task = (await s.execute(select(Task).where(Task.task_no == "T-1"))).scalar_one()
        notes = list((await s.execute(select(TaskNote.kind).where(TaskNote.task_id == task.id))).scalars())
        wang_id = (await s.execute(select(Member.id).where(Member.employee_no == "1002"))).scalar_one()
    assert "1002" not in everyone and "1003" in everyone
    assert task.owner_id == wang_id and task.status == "in_progress" and notes == ["progress"]
    before = len(c.wang.messages)
    at(clock, "2026-12-05 09:00")
    await env.tick()
    assert texts_since(c.wang, before) == []
    assert any("T-2" in t for t in texts_since(c.li, 0))

    # Her old buttons and commands get what a stranger gets; the card shows her as deactivated.
    state = await snapshot(env.db)
    pressed = await c.wang.press("进展")
    assert "邀请码" in pressed.text
    assert "邀请码" in await c.wang.say("/tasks")
    assert await snapshot(env.db) == state
    assert "已停用" in await c.zhang.say("/member 1002")


async def test_only_admins_deactivate_and_secretaries_see_only_their_units(env):
    c = await cast(env)
    card = await c.zhang.send("/member 1002")
    assert "王芳" in card[-1]["text"] and not card[-1].get("reply_markup")  # a secretary: no button
    assert "不在您负责的部门" in await c.liu.say("/member 1002")  # 财务部's secretary
    assert "仅限" in await c.wang.say("/member 1003")
    assert "用法：/member" in await c.admin.say("/member")
    assert "找不到工号或姓名为“9999”" in await c.admin.say("/member 9999")

    await c.admin.send("/member 1002")
    data = c.admin.find("停用")["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    member_id = data.split(":")[1]
    state = await snapshot(env.db)
    forged = await c.zhang.press_data(f"mbr:{member_id}:offyes")
    assert forged.toast == refusal("zh", "not_allowed")
    admin_id = None
    async with env.db.session() as s:
        admin_id = (await s.execute(select(Member.id).where(Member.roles.contains("admin")))).scalar_one()
    yourself = await c.admin.press_data(f"mbr:{admin_id}:offyes")
    assert yourself.toast == refusal("zh", "member_not_yourself")
    assert await snapshot(env.db) == state

    await c.admin.press("停用")
    await c.admin.press("确认停用")
    again = await c.admin.press_data(f"mbr:{member_id}:offyes")
    assert again.toast == refusal("zh", "member_already_inactive", name="王芳", no="1002")


def test_roster_deactivate_on_the_command_line_refuses_whole_and_lists_open_tasks(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("工号,姓名,部门,支部,党员,角色\n1001,张伟,生产部,第一支部,是,书记\n1002,王芳,生产部,,否,\n",
                      encoding="utf-8-sig")
    assert run(tmp_path, "roster", "import", str(roster)).returncode == 0
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("任务编号,任务,主责部门,责任人工号,完成时限\nT-1,安全培训,生产部,1002,2030-12-06\n",
                     encoding="utf-8-sig")
    out = run(tmp_path, "tasks", "import", str(tasks))
    assert out.returncode == 0, out.stderr

    out = run(tmp_path, "roster", "deactivate", "1002", "9999")
    assert out.returncode == 2 and "9999" in out.stderr and out.stderr.strip().count("\n") == 0
    out = run(tmp_path, "roster", "deactivate", "1002")
    assert out.returncode == 0, out.stderr
    assert "deactivated 1002" in out.stdout and "T-1" in out.stdout and "张伟" in out.stdout
    out = run(tmp_path, "roster", "deactivate", "1002")
    assert out.returncode == 2 and "已经停用" in out.stderr
