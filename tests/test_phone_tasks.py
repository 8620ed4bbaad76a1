"""Issue 15, item 4: short lists. /tasks is one message, ten tasks a page with ◀ ▶ and a button per task;
a secretary lists their units' tasks by filter and reads a task's progress notes. Thursday 2026-12-03."""
from __future__ import annotations

from sqlalchemy import select

from storage.tasks import Task
from tests.support.refusals import refusal, snapshot
from tests.support.tasks import cast, import_tasks, open_task


def labels(message: dict) -> list[str]:
    return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def test_twelve_tasks_are_one_message_ten_a_page(env):
    c = await cast(env)
    await import_tasks(c.zhang, *(f"T-{n:02d},任务{n:02d},生产部,,1002,2026-12-{n + 10}," for n in range(1, 13)))
    replies = await c.wang.send("/tasks")
    assert len(replies) == 1
    first = replies[0]
    assert "您有 12 项任务" in first["text"] and "第 1/2 页" in first["text"]
    assert labels(first)[:10] == [f"🟢 T-{n:02d} 任务{n:02d}" for n in range(1, 11)] and labels(first)[10:] == ["▶"]
    press = await c.wang.press("▶", first)
    assert "第 2/2 页" in press.text and "任务11" in press.text and "任务01" not in press.text
    card = await open_task(c.wang, "T-01")
    assert "[T-01] 任务01" in card["text"] and labels(card)[:2] == ["📝 进展", "✅ 完成"]


async def test_a_secretary_lists_their_units_tasks_by_filter_and_reads_the_notes(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,清理旧账,生产部,,1002,2026-12-01,", "T-2,整理台账,生产部,,1003,2026-12-05,",
                       "T-3,安全培训,生产部,,1002,2026-12-20,")
    await import_tasks(c.liu, "F-1,预算编制,财务部,,1005,2026-11-30,")
    await open_task(c.wang, "T-3")
    await c.wang.press("进展")
    await c.wang.say("已完成一半人员培训")
    await open_task(c.wang, "T-3")
    await c.wang.press("完成")
    await c.wang.say("全部完成")

    listing = (await c.zhang.send("/tasks"))[-1]
    assert "您目前没有待办" in listing["text"]
    overdue = await c.zhang.press("逾期", listing)
    assert "逾期：共 1 项" in overdue.text and "清理旧账" in overdue.text and "预算编制" not in overdue.text
    week = await c.zhang.press("本周到期")
    assert "本周到期：共 1 项" in week.text and "整理台账 · 2026-12-05 · 李强" in week.text
    reported = await c.zhang.press("已报完成")
    assert "已报完成：共 1 项" in reported.text and "安全培训" in reported.text
    card = (await c.zhang.press("T-3 安全培训")).new[-1]
    assert labels(card) == ["✔️ 确认完成", "↩️ 退回", "📜 进展记录"]
    notes = (await c.zhang.press("📜 进展记录", card)).new[-1]["text"]
    assert "王芳 · 进展：已完成一半人员培训" in notes and "王芳 · 报告完成：全部完成" in notes
    everything = await c.zhang.press("本单位全部")
    assert "本单位全部：共 3 项" in everything.text


async def test_others_cannot_open_a_task_or_a_units_list_by_forging_buttons(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,清理旧账,生产部,,1002,2026-12-01,")
    async with env.db.session() as s:
        task_id = (await s.execute(select(Task.id))).scalar_one()
    before = await snapshot(env.db)
    for person, data, template in ((c.li, f"tsk:{task_id}:open", "tasks_not_yours"),
                                   (c.li, f"tsk:{task_id}:notes", "tasks_not_yours"),
                                   (c.liu, f"tsk:{task_id}:open", "tasks_not_yours"),
                                   (c.li, "tsl:1:units.all", "not_allowed"),
                                   (c.li, "tsl:1:units.everything", "button_expired")):
        press = await person.press_data(data)
        assert press.toast == refusal("zh", template), data
    assert await snapshot(env.db) == before
