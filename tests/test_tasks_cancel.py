"""A secretary takes a task off the list with /canceltask: the owner is told, the reminders stop at once
(even one already queued), and nobody outside the lead unit's secretaries and the admins can do it."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage import producers
from storage.tasks import Task, TaskNote
from tests.support.tasks import cast, import_tasks, texts_since

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(clock, local: str) -> None:
    clock.set(datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI))


async def test_a_cancelled_task_stops_reminding_and_its_owner_is_told(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-06,", "T-2,整理台账,生产部,,1002,2026-12-06,")
    await env.tick()
    at(clock, "2026-12-05 09:00")
    await producers.run_all(env.db, env.ctx)  # the 1-day reminders are queued, not sent yet

    assert "用法：/canceltask" in await c.zhang.say("/canceltask")
    reply = await c.zhang.say("/canceltask T-1 计划调整，并入年度培训")
    assert "已取消任务 [T-1] 安全培训（责任人 王芳），提醒已停止" in reply
    before = len(c.wang.messages)
    await env.tick()
    notices = texts_since(c.wang, before)
    assert any("[T-1] 安全培训 已被 张伟 取消，原因：计划调整，并入年度培训" in t for t in notices)
    assert not any("T-1" in t and "到期" in t for t in notices)  # the queued reminder was withdrawn
    assert any("T-2" in t and "还有 1 天到期" in t for t in notices)  # the other task is untouched

    for moment in ("2026-12-06 09:00", "2026-12-07 08:00", "2026-12-10 09:00"):
        at(clock, moment)
        await env.tick()
    assert not any("T-1" in t and ("到期" in t or "逾期" in t) for t in texts_since(c.wang, before))
    assert not any("T-1" in t for t in c.zhang.texts() if "逾期预警" in t)
    replies = await c.wang.send("/tasks")
    assert not any("T-1" in m["text"] for m in replies)
    assert "不能进行这个操作" in await c.zhang.say("/canceltask T-1")  # cancelled already
    async with env.db.session() as s:
        task = (await s.execute(select(Task).where(Task.task_no == "T-1"))).scalar_one()
        kinds = list((await s.execute(select(TaskNote.kind).where(TaskNote.task_id == task.id))).scalars())
    assert task.status == "cancelled" and task.next_reminder_at is None and kinds == ["cancel"]


async def test_only_the_lead_units_secretaries_and_admins_may_cancel(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    assert "仅限" in await c.wang.say("/canceltask T-1")  # the owner is an employee
    assert "仅限" in await c.li.say("/canceltask T-1")
    assert "不属于您负责的部门" in await c.liu.say("/canceltask T-1")  # 财务部's secretary
    assert "找不到" in await c.zhang.say("/canceltask T-9")
    stranger = env.person(999, "陌生人")
    assert "邀请码" in await stranger.say("/canceltask T-1")
    async with env.db.session() as s:
        assert (await s.execute(select(Task.status))).scalar_one() == "open"
    assert "已取消任务 [T-1]" in await c.admin.say("/canceltask T-1")
