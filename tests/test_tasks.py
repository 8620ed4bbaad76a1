"""The responsibility list in chat: importing it, owners working their tasks, secretaries confirming and
following up, and nobody else getting in. It is Thursday 2026-12-03, 09:00 in Shanghai."""
from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from storage.tasks import Task, TaskNote, TaskUnit
from tests.support.tasks import cast, import_tasks, open_task, sheet, texts_since

LIST = (
    "T-1,安全培训,生产部,财务部;办公室,1002,2026-12-20,全员参加",
    "T-2,整理台账,生产部,,1002,2026-12-06,",
    "T-3,上报报表,生产部,财务部,1002,2026-12-04,",
    "T-4,清理旧账,生产部,,1002,2026-12-01,",
    "T-5,预算编制,生产部,,1005,2026-12-15 17:00,",
)


async def task_count(env) -> int:
    async with env.db.session() as s:
        return (await s.execute(select(func.count(Task.id)))).scalar_one()


async def test_secretary_imports_the_list_and_the_owner_sees_their_tasks_by_deadline_in_colour(env):
    c = await cast(env)
    reply = await import_tasks(c.zhang, *LIST)
    assert "新增 5 项" in reply
    await env.tick()  # each owner is told about their new tasks
    assert sum("您是责任清单任务的具体责任人" in t for t in c.wang.texts()) == 4

    replies = await c.wang.send("/tasks")
    assert len(replies) == 1 and "您有 4 项任务" in replies[0]["text"]
    listed = [row[0]["text"] for row in replies[0]["reply_markup"]["inline_keyboard"]]
    assert listed == ["🔴 T-4 清理旧账", "🟡 T-3 上报报表", "🔵 T-2 整理台账", "🟢 T-1 安全培训"]
    items = [(await c.wang.press(label, replies[0])).new[-1] for label in listed]
    assert items[0]["text"].startswith("🔴") and "已逾期 2 天" in items[0]["text"]
    assert items[1]["text"].startswith("🟡") and "明天到期" in items[1]["text"]
    assert items[2]["text"].startswith("🔵") and "还有 3 天" in items[2]["text"]
    assert items[3]["text"].startswith("🟢") and "配合部门：财务部、办公室" in items[3]["text"]
    buttons = [b["text"] for row in items[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["📝 进展", "✅ 完成", "📜 进展记录"]

    async with env.db.session() as s:
        t5 = (await s.execute(select(Task).where(Task.task_no == "T-5"))).scalar_one()
        coops = (await s.execute(select(func.count()).select_from(TaskUnit))).scalar_one()
    assert t5.due_time.strftime("%H:%M") == "17:00" and coops == 3


async def test_a_bad_file_is_refused_whole_with_a_reason_for_each_row(env):
    c = await cast(env)
    reply = await import_tasks(
        c.zhang,
        "T-1,安全培训,生产部,,1002,2026-12-20,",
        "T-2,整理台账,采购部,,1002,2026-12-20,",      # unknown lead department
        "T-3,上报报表,生产部,财务部、后勤部,1002,2026-12-20,",  # unknown cooperating department
        "T-4,清理旧账,生产部,,9999,2026-12-20,",       # unknown owner
        "T-5,预算编制,生产部,,1002,下周五,",            # bad date
        "T-1,重复编号,生产部,,1002,2026-12-20,",       # duplicate task_no
        "T-7,,生产部,,1002,2026-12-20,",              # missing title
    )
    assert "什么也没有改变" in reply
    for expected in ("第 3 行：找不到部门或支部“采购部”", "第 4 行：找不到部门或支部“后勤部”",
                     "第 5 行：找不到工号为“9999”的成员", "第 6 行：完成时限“下周五”不是有效日期",
                     "第 7 行：任务编号“T-1”重复（第 2 行已有）", "第 8 行：任务不能为空"):
        assert expected in reply, expected
    assert await task_count(env) == 0


async def test_chinese_headers_in_gbk_and_an_xlsx_with_a_title_row_are_read(env):
    c = await cast(env)
    gbk = ("任务编号,任务,主责部门,配合部门,责任人工号,完成时限,说明\n"
           "A-1,安全检查,生产部,财务部、办公室,1003,2026年12月20日,\n").encode("gb18030")
    new = await c.zhang.upload("清单.csv", gbk, caption="/importtasks")
    assert "新增 1 项" in new[-1]["text"]

    wb = Workbook()
    ws = wb.active
    ws.append(["2026年度责任清单"])
    ws.append(["任务编号", "任务", "主责部门", "配合部门", "责任人工号", "完成时限", "说明"])
    from datetime import datetime

    ws.append(["A-2", "消防演练", "生产部", None, 1003, datetime(2026, 12, 18, 15, 30), "仓库"])
    ws.append([None] * 7)
    buf = io.BytesIO()
    wb.save(buf)
    new = await c.zhang.upload("清单.xlsx", buf.getvalue(), caption="/importtasks")
    assert "新增 1 项" in new[-1]["text"]
    replies = await c.li.send("/tasks")
    assert "2026-12-18 15:30" in replies[-1]["text"] and "2026-12-20" in replies[-1]["text"]


async def test_reimporting_updates_by_task_no_and_a_new_deadline_moves_the_reminders(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-10,")
    await env.tick()
    reply = await import_tasks(c.zhang, "T-1,安全培训（全员）,生产部,,1002,2026-12-20,",
                               "T-2,整理台账,生产部,,1002,2026-12-30,")
    assert "新增 1 项，更新 1 项，其中 1 项时限变更" in reply
    assert await task_count(env) == 2
    await env.tick()
    assert any("任务时限已调整" in t and "2026-12-20" in t for t in c.wang.texts())

    # The old deadline's reminder (3 days before 12-10) no longer comes; the new one does (3 days before 12-20).
    before = len(c.wang.messages)
    clock.set(clock.now().replace(day=7))
    await env.tick()
    assert not any("还有" in t for t in texts_since(c.wang, before))
    clock.set(clock.now().replace(day=17))
    await env.tick()
    assert any("还有 3 天到期" in t and "安全培训（全员）" in t for t in texts_since(c.wang, before))


async def test_importtasks_without_a_file_sends_a_template_that_imports_as_it_is(env):
    c = await cast(env)
    new = await c.zhang.send("/importtasks")
    doc = [m for m in new if "document" in m][0]
    name, content = env.fake.files[doc["document"]["file_id"]]
    assert name.endswith(".xlsx") and "/importtasks" in doc["caption"]
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0] == ("任务编号", "任务", "主责部门", "配合部门", "责任人工号", "完成时限", "说明")
    assert len(rows) == 2
    new = await c.zhang.upload("模板.xlsx", content, caption="/importtasks")
    assert "新增 1 项" in new[-1]["text"]


async def test_owner_reports_progress_and_done_and_the_lead_units_secretary_confirms(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    await env.tick()
    await open_task(c.wang, "T-1")
    press = await c.wang.press("进展")
    assert "请发送任务 [T-1] 安全培训 的进展情况" in press.text
    assert "已记录任务 [T-1] 的进展" in await c.wang.say("已完成一半人员培训")
    assert "状态：进行中" in (await open_task(c.wang, "T-1"))["text"]

    await c.wang.press("完成")
    assert "报告任务 [T-1] 安全培训 完成" in await c.wang.say("全部完成，签到表已存档")
    await env.tick()
    slip = c.zhang.find("确认完成")
    assert "王芳 报告任务已完成" in slip["text"] and "签到表已存档" in slip["text"]
    assert not any("报告任务已完成" in t for t in c.liu.texts())  # 财务部's secretary is not asked

    confirm_data = slip["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    press = await c.zhang.press("确认完成", slip)
    assert "已由 张伟 确认完成" in press.text
    await env.tick()
    assert "已确认完成" in c.wang.last["text"]
    assert "没有待办" in await c.wang.say("/tasks")
    again = await c.zhang.press_data(confirm_data, slip)
    assert "已完成" in again.toast  # a second press finds it already confirmed
    async with env.db.session() as s:
        task = (await s.execute(select(Task))).scalar_one()
        kinds = list((await s.execute(select(TaskNote.kind).order_by(TaskNote.id))).scalars())
    assert task.status == "done" and task.confirmed_at is not None and kinds == ["progress", "done", "confirm"]


async def test_secretary_returns_a_task_with_a_reason_and_the_owner_can_report_again(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    await open_task(c.wang, "T-1")
    await c.wang.press("完成")
    await c.wang.say("完成了")
    await env.tick()
    await c.zhang.press("退回")
    assert "已将任务 [T-1] 安全培训 退回给 王芳" in await c.zhang.say("缺少签到表")
    await env.tick()
    notice = c.wang.last
    assert "被 张伟 退回，原因：缺少签到表" in notice["text"]
    await c.wang.press("完成", notice)
    assert "等待主责部门书记确认" in await c.wang.say("签到表已补")
    await env.tick()
    assert sum("王芳 报告任务已完成" in t for t in c.zhang.texts()) == 2


async def test_overdue_shows_a_secretary_their_units_and_an_admin_all_grouped_by_unit(env):
    c = await cast(env)
    await import_tasks(c.admin, "T-1,清理旧账,生产部,,1002,2026-12-01,", "T-2,盘点,生产部,,1003,2026-11-30,",
                       "T-3,预算,财务部,,1005,2026-12-02,", "T-4,未到期,生产部,,1002,2026-12-30,")
    text = await c.zhang.say("/overdue")
    assert "逾期任务共 2 项" in text and "责任人 王芳" in text and "逾期 3 天" in text and "预算" not in text
    assert "未到期" not in text
    text = await c.admin.say("/overdue")
    assert "逾期任务共 3 项" in text and "<b>生产部</b>（2 项）" in text and "<b>财务部</b>（1 项）" in text
    text = await c.liu.say("/overdue")
    assert "逾期任务共 1 项" in text and "预算" in text and "清理旧账" not in text


async def test_strangers_and_employees_cannot_import_confirm_return_or_see_overdue(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    await open_task(c.wang, "T-1")
    await c.wang.press("完成")
    await c.wang.say("完成了")

    assert "仅限" in await c.li.say("/overdue")
    new = await c.li.upload("x.csv", sheet("T-9,偷偷加的,生产部,,1003,2026-12-20,"), caption="/importtasks")
    assert "仅限" in new[-1]["text"]
    for forged in ("tsk:1:confirm", "tsk:1:return", "tsk:1:progress", "tsk:1:done", "tkw:0:create", "tsk:x:zap"):
        press = await c.li.press_data(forged)
        assert press.toast, forged
    # 刘洋 is a secretary, but not of 生产部.
    press = await c.liu.press_data("tsk:1:confirm")
    assert "不属于您负责的部门" in press.toast
    stranger = env.person(999, "陌生人")
    assert "邀请码" in await stranger.say("/importtasks")
    press = await stranger.press_data("tsk:1:confirm")
    assert "邀请码" in press.text or "邀请码" in press.toast
    async with env.db.session() as s:
        statuses = list((await s.execute(select(Task.task_no, Task.status))).all())
    assert statuses == [("T-1", "reported")]


async def test_secretary_creates_a_task_step_by_step(env):
    c = await cast(env)
    assert "请发送任务名称" in await c.zhang.say("/newtask")
    assert "主责部门" in await c.zhang.say("冬季防火检查")
    assert "找不到部门“采购部”" in await c.zhang.say("采购部")
    assert "不属于您负责的部门" in await c.zhang.say("财务部")
    assert "工号" in await c.zhang.say("生产部")
    assert "没有找到姓名或工号为“8888”" in await c.zhang.say("8888")
    assert "完成时限" in await c.zhang.say("1003")
    assert "已经过去" in await c.zhang.say("2026-11-01")
    assert "配合部门" in await c.zhang.say("2026-12-25 17:00")
    confirm = await c.zhang.say("财务部、办公室")
    assert "冬季防火检查" in confirm and "责任人：李强" in confirm and "财务部、办公室" in confirm
    press = await c.zhang.press("创建任务")
    assert "已创建任务 [2026-N001] 冬季防火检查" in press.text
    await env.tick()
    assert "冬季防火检查" in c.li.last["text"]
    assert "2026-12-25 17:00" in (await c.li.send("/tasks"))[-1]["text"]
    press = await c.zhang.press_data("tkw:0:create")  # the flow is over: a second press creates nothing
    assert "按钮已失效" in press.toast
    assert await task_count(env) == 1


async def test_an_english_speaking_owner_gets_the_list_and_reminders_in_english(env, clock):
    c = await cast(env)
    emily = await env.join(107, "Emily", "1007", lang="en-GB")
    await import_tasks(c.liu, "F-1,Quarterly budget,财务部,生产部,1007,2026-12-04 17:00,Draft first")
    await env.tick()
    replies = await emily.send("/tasks")
    assert "You have 1 task(s)" in replies[0]["text"]
    card = await open_task(emily, "F-1")
    item = card["text"]
    assert item.startswith("🟡") and "Deadline: 2026-12-04 17:00 (due tomorrow)" in item and "With: 生产部" in item
    assert [b["text"] for b in card["reply_markup"]["inline_keyboard"][0]] == ["📝 Progress", "✅ Done"]
    clock.advance(hours=32, minutes=1)  # Friday 17:01 local: past the deadline
    await env.tick()
    assert emily.last["text"].startswith("🔴 This task is now overdue")


async def test_other_features_put_tasks_on_the_list_through_create_task(env, clock):
    """Reception outcomes and feedback measures become tasks this way: numbered, owner told, reminded."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from storage import members, tasks, units

    c = await cast(env)
    async with env.db.session() as s:
        owner = await members.by_employee_no(s, "1003")
        unit = await units.find_any(s, "生产部")
        moment = datetime(2026, 12, 10, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
        first = await tasks.create_task(s, env.ctx, title="食堂排队时间长", lead_unit_id=unit.id, owner_id=owner.id,
                                        deadline=moment, description="来自接待日", source="reception:7")
        second = await tasks.create_task(s, env.ctx, title="增设取餐窗口", lead_unit_id=unit.id, owner_id=owner.id,
                                         deadline=moment.date() + timedelta(days=5), source="feedback:ab12")
    assert (first.task_no, second.task_no) == ("2026-N001", "2026-N002")
    assert first.source == "reception:7" and first.due_time.strftime("%H:%M") == "17:30"
    assert second.due_time is None
    await env.tick()
    assert sum("您是责任清单任务的具体责任人" in t for t in c.li.texts()) == 2
    card = (await open_task(c.li, "食堂排队时间长"))["text"]
    assert "2026-12-10 17:30" in card and "来自接待日" in card
    clock.set(datetime(2026, 12, 9, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    await env.tick()
    assert c.li.last["text"].startswith("🟡 任务提醒：还有 1 天到期") and "食堂排队时间长" in c.li.last["text"]


async def test_a_secretary_imports_only_for_their_own_units_and_an_admin_for_all(env):
    c = await cast(env)
    await import_tasks(c.liu, "F-1,预算编制,财务部,,1005,2026-12-20,")
    reply = await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,",
                               "T-2,代财务部报账,财务部,,1002,2026-12-20,",   # 财务部 leads: not 张伟's unit
                               "F-1,改写财务的任务,生产部,,1002,2026-12-20,")  # F-1 is 财务部's task already
    assert "什么也没有改变" in reply
    assert "第 3 行：任务“T-2”的主责部门“财务部”不属于您负责的部门" in reply
    assert "第 4 行：任务“F-1”的主责部门“财务部”不属于您负责的部门" in reply
    async with env.db.session() as s:
        assert list((await s.execute(select(Task.task_no, Task.title))).all()) == [("F-1", "预算编制")]
    reply = await import_tasks(c.admin, "T-2,代财务部报账,财务部,,1002,2026-12-20,")
    assert "新增 1 项" in reply


async def test_strangers_get_only_the_registration_prompt_for_every_task_command(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    stranger = env.person(999, "陌生人")
    for command in ("/overdue", "/tasks", "/newtask"):
        assert "邀请码" in await stranger.say(command), command
    new = await stranger.upload("x.csv", sheet("T-9,偷偷加的,生产部,,1003,2026-12-20,"), caption="/importtasks")
    assert "邀请码" in new[-1]["text"]
    for forged in ("tsk:1:progress", "tsk:1:done", "tsk:1:return", "tkw:0:create"):
        press = await stranger.press_data(forged)
        assert "邀请码" in (press.text or "") + (press.toast or ""), forged
    assert await task_count(env) == 1
