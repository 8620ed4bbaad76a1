"""Issue 15, item 5: nudge (催办). In /overdue and on a task's card a button reminds the owner, once a day per
task, recorded on the task with who nudged. Thursday 2026-12-03, 09:00 in Shanghai."""
from __future__ import annotations

import asyncio

from sqlalchemy import select

from storage import tasks
from storage.db import Database
from storage.errors import Refused
from storage.models.org import Member
from storage.models.outbox import Outbox
from storage.tasks import Task, TaskNote
from tests.support.refusals import refusal, snapshot
from tests.support.tasks import cast, import_tasks


async def the_task(env, task_no: str = "T-1") -> Task:
    async with env.db.session() as s:
        return (await s.execute(select(Task).where(Task.task_no == task_no))).scalar_one()


def nudges(person) -> list[str]:
    return [t for t in person.texts() if t.startswith("🔔")]


async def test_a_secretary_nudges_an_overdue_owner_from_overdue_once_a_day(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,清理旧账,生产部,,1002,2026-12-01,")
    await env.tick()
    listing = (await c.zhang.send("/overdue"))[-1]
    press = await c.zhang.press("🔔 催办 T-1 王芳", listing)
    assert press.toast == "已催办 王芳：任务 [T-1]。"
    await env.tick()
    assert len(nudges(c.wang)) == 1
    assert "张伟 催办：请尽快办理任务 <b>[T-1] 清理旧账</b>" in nudges(c.wang)[0] and "已逾期 2 天" in nudges(c.wang)[0]
    assert [b["text"] for b in c.wang.last["reply_markup"]["inline_keyboard"][0]] == ["📝 进展", "✅ 完成"]
    task = await the_task(env)
    async with env.db.session() as s:
        zhang_id = (await s.execute(select(Member.id).where(Member.employee_no == "1001"))).scalar_one()
        kinds = list((await s.execute(select(TaskNote.kind).where(TaskNote.task_id == task.id))).scalars())
    assert task.nudged_by_id == zhang_id and task.nudged_at is not None and kinds == ["nudge"]

    before = await snapshot(env.db)
    again = await c.zhang.press("🔔 催办 T-1 王芳", listing)
    assert again.toast == "任务 [T-1] 今天已由 张伟 于 09:00 催办过，每项任务每天只能催办一次，请明天再试。"
    assert await snapshot(env.db) == before
    await env.tick()
    assert len(nudges(c.wang)) == 1

    clock.advance(days=1)  # Friday: a new day, a new nudge
    assert (await c.zhang.press("🔔 催办 T-1 王芳", listing)).toast == "已催办 王芳：任务 [T-1]。"
    await env.tick()
    assert len(nudges(c.wang)) == 2


async def test_the_nudge_on_a_task_card_and_the_notes_show_it(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    listing = (await c.zhang.send("/tasks"))[-1]
    await c.zhang.press("本单位全部", listing)
    card = (await c.zhang.press("T-1 安全培训")).new[-1]
    press = await c.zhang.press("🔔 催办", card)
    assert press.toast == "已催办 王芳：任务 [T-1]。"
    notes = (await c.zhang.press("📜 进展记录", card)).new[-1]["text"]
    assert "张伟 · 催办" in notes


async def test_nobody_else_can_nudge_and_a_finished_task_is_not_nudged(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,清理旧账,生产部,,1002,2026-12-01,")
    task = await the_task(env)
    before = await snapshot(env.db)
    for person, template in ((c.li, "not_allowed"), (c.liu, "tasks_not_your_unit")):
        press = await person.press_data(f"tsk:{task.id}:nudge")
        assert press.toast == refusal("zh", template)
    assert await snapshot(env.db) == before


async def test_two_nudges_at_the_same_moment_on_postgresql_write_one_note_and_refuse_the_other(pg_env):
    """Both presses read "not nudged today" before either commits: the day's nudge is claimed by one
    conditional update first, so the second waits for the first and gets the usual refusal, writing nothing
    (it wrote a second history note while only one message went out)."""
    c = await cast(pg_env)
    await import_tasks(c.zhang, "T-1,清理旧账,生产部,,1002,2026-12-01,")
    task_id = (await the_task(pg_env)).id
    replicas = [Database(pg_env.db.url) for _ in range(2)]
    try:
        for db in replicas:  # both connected already, so neither press starts late
            async with db.session() as s:
                await s.execute(select(Member.id).limit(1))

        async def press(db: Database, who):
            try:
                async with db.session() as s:
                    me = (await s.execute(select(Member).where(who))).scalar_one()
                    await tasks.nudge(s, pg_env.ctx, me, task_id)
                    return "nudged"
            except Refused as refused:
                return refused.template

        outcomes = await asyncio.gather(press(replicas[0], Member.employee_no == "1001"),
                                        press(replicas[1], Member.telegram_user_id == c.admin.id))
        assert sorted(outcomes) == ["nudged", "tasks_nudged_today"]
        async with replicas[0].session() as s:
            notes = (await s.execute(select(TaskNote.kind).where(TaskNote.task_id == task_id))).scalars().all()
            sent = (await s.execute(select(Outbox).where(Outbox.kind == "tasks.nudged"))).scalars().all()
        assert notes == ["nudge"] and len(sent) == 1
    finally:
        for db in replicas:
            await db.dispose()
