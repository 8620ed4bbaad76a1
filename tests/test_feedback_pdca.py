"""PDCA: closing as resolved asks for the root cause and the improvement measure, and the monthly "you said,
we did" digest tells every member what changed, never who said what."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from tests.support.botenv import DEMO_ROSTER
from tests.support.feedback import configure, submit


async def handled(env, zhang, wang, category: str, text: str) -> str:
    ticket = await submit(wang, category, text)
    await env.tick()
    await zhang.send("/inbox")
    await zhang.press(f"#{ticket}")
    await zhang.press("答复", zhang.find("标记已答复"))
    await zhang.say("收到，正在处理。")
    await zhang.send("/inbox")
    await zhang.press(f"#{ticket}")
    return ticket


async def test_resolution_needs_cause_and_measure_except_for_suggestions_then_the_digest(env, clock):
    await env.import_roster(DEMO_ROSTER)
    await configure(env, routing={c: ["生产部"] for c in ("hardship", "suggestion", "work")})
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    emily = await env.join(107, "Emily", "1007", lang="en")

    hardship = await handled(env, zhang, wang, "困难帮扶", "孩子上学远，希望调整班次。")
    await zhang.press("办结（已解决）")
    assert "根本原因" in zhang.last["text"] and "跳过" not in str(zhang.last.get("reply_markup"))
    assert "必须填写" in (await zhang.press_data(f"inb:{hardship}:skip")).toast
    await zhang.say("班次固定，没有考虑家庭困难。")
    done = await zhang.say("困难职工可申请固定早班。")
    assert "已办结" in done
    await env.tick()
    assert "已由党群工作部办结" in wang.last["text"]

    suggestion = await handled(env, zhang, wang, "意见建议", "食堂能不能加一个素菜窗口？")
    await zhang.press("办结（已解决）")
    await zhang.press("跳过")
    assert "改进措施" in zhang.last["text"]
    await zhang.press("跳过")
    assert "已办结" in zhang.last["text"]
    assert "已关闭" in (await zhang.press_data(f"inb:{suggestion}:resolve")).toast

    # Still open at the end of the month: not in the digest.
    await handled(env, zhang, wang, "工作与生产", "工具间灯坏了。")

    clock.set(datetime(2027, 1, 1, 8, 30, tzinfo=env.ctx.tz))
    await env.tick()
    assert not any("“你说我做” · " in t for t in wang.texts())
    clock.set(datetime(2027, 1, 1, 9, 0, tzinfo=env.ctx.tz))
    await env.tick()
    await env.tick()
    await env.restart()
    await env.tick()
    for person in (zhang, wang):
        digests = [t for t in person.texts() if "“你说我做” · " in t]
        assert len(digests) == 1, person.name
        digest = digests[0]
        assert "2026-12" in digest and "困难职工可申请固定早班" in digest
        assert "困难帮扶</b>：1 件" in digest and "意见建议</b>：1 件" in digest
        assert "有 2 件已经解决" in digest
        assert "孩子上学远" not in digest and "班次固定" not in digest and "王芳" not in digest
        assert "工具间" not in digest
    assert any('"You said, we did" · 2026-12' in t and "Hardship and help" in t for t in emily.texts())


async def test_measure_to_task_hook(env):
    await env.import_roster(DEMO_ROSTER)
    await configure(env, routing={"safety": ["生产部"]})
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    ticket = await handled(env, zhang, wang, "安全隐患", "叉车通道没有划线。")
    assert "转为任务" not in str(zhang.last.get("reply_markup"))  # no measure yet, no button
    await zhang.press("办结（已解决）")
    await zhang.say("通道标识缺失。")
    await zhang.say("全厂叉车通道划线并每季度检查。")
    assert "转为任务" in str(zhang.last.get("reply_markup"))
    await zhang.press("改进措施转为任务")
    assert "责任人的姓名、姓名中的几个字或工号" in zhang.last["text"]
    assert "没有找到姓名或工号为“9999”" in await zhang.say("9999")
    await zhang.say("1003")
    assert "找不到部门" in await zhang.say("不存在的部门")
    await zhang.say("生产部")
    assert "不是有效日期" in await zhang.say("下个月")
    assert "已经过去" in await zhang.say("2026-11-30")
    created = await zhang.say("2026-12-31")
    assert "已创建任务 2026-N" in created and f"#{ticket}" in created
    task_no = created.split("已创建任务 ")[1].split("（")[0]
    assert f"已经转为任务 {task_no}" in (await zhang.press_data(f"inb:{ticket}:task")).toast

    # The task is on the responsibility list: its owner sees the measure with the deadline.
    li = await env.join(103, "李强", "1003")
    tasks = await li.say("/tasks")
    assert "全厂叉车通道划线并每季度检查" in "".join(li.texts()) and tasks
    async with env.db.session() as s:
        from storage.tasks import Task

        task = (await s.execute(select(Task).where(Task.task_no == task_no))).scalar_one()
        assert task.source == f"feedback:{ticket}" and str(task.due_date) == "2026-12-31"
        assert "通道标识缺失" in task.description
    view = await zhang.press_data(f"inb:{ticket}:view")
    assert f"已转为任务 {task_no}" in view.text and "转为任务" not in str(zhang.last.get("reply_markup"))
