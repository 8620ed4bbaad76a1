"""Anonymous feedback, as the people involved meet it in the chat: the writer, the secretary, the admins."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from storage import feedback
from storage.feedback.models import FeedbackPending
from tests.support.botenv import DEMO_ROSTER
from tests.support.feedback import configure, submit, ticket_in


async def people(env):
    await env.import_roster(DEMO_ROSTER)
    await configure(env, routing={"hardship": ["生产部"], "dispute": ["生产部"]})
    zhang = await env.join(101, "张伟", "1001")   # secretary of 生产部
    wang = await env.join(102, "王芳", "1002")    # employee of 生产部
    return zhang, wang


async def test_anonymous_ticket_round_trip_reply_answer_rate_resolve_and_kpi(env, clock):
    zhang, wang = await people(env)

    await wang.send("/feedback")
    assert "默认<b>匿名</b>" in wang.last["text"]
    await wang.press("困难帮扶")
    await wang.send("家里老人住院，想申请困难帮扶。")
    assert "默认匿名提交" in wang.last["text"] and "不记录您的姓名" in wang.last["text"]
    press = await wang.press("匿名提交")
    ticket = ticket_in(press.text)
    assert "匿名" in press.text and "/mytickets" in press.text

    await env.tick()
    notice = zhang.last["text"]
    assert f"新工单 #{ticket}" in notice and "困难帮扶" in notice and "家里老人住院" in notice
    assert "王芳" not in notice and "匿名" in notice  # 生产部 has 3 members: too small to be shown

    view = await zhang.press("查看")
    assert "来源：匿名" in view.text
    await zhang.press("答复", zhang.find("标记已答复"))
    assert "不显示您的姓名" in zhang.last["text"]
    clock.advance(hours=1)
    assert "已转给" in await zhang.say("已联系工会，下周一带上住院证明来办理。")

    await env.tick()
    relay = wang.last["text"]
    assert f"工单 #{ticket}" in relay and "已联系工会" in relay and "党群工作部" in relay
    assert "张伟" not in relay

    await wang.press("回复")
    assert "已发送" in await wang.say("谢谢，材料已经准备好了。")
    await env.tick()
    assert "材料已经准备好了" in zhang.last["text"] and "反映人回复" in zhang.last["text"]

    rated = await wang.press("⭐⭐⭐⭐⭐")
    assert "5 星" in rated.toast
    resolved = await wang.press("已解决")
    assert "已标记为解决" in resolved.text and "已解决" in resolved.text

    await env.tick()
    assert "确认解决" in zhang.last["text"]
    view = await zhang.press("查看")
    await zhang.press("填写原因与改进措施", view.message)
    assert "根本原因" in zhang.last["text"]
    assert "改进措施" in await zhang.say("帮扶申请流程不清楚，职工不知道找谁。")
    assert "已办结" in await zhang.say("在车间公告栏张贴帮扶申请流程和联系人。")

    listing = await wang.say("/mytickets")
    assert ticket in listing and "已解决" in listing

    async with env.db.session() as s:
        start = datetime(2026, 12, 1, tzinfo=env.ctx.tz)
        figures = await feedback.kpi_figures(s, env.ctx, unit_ids=None, start=start, end=start + timedelta(days=31))
    assert figures["tickets_received"] == 1
    assert figures["first_reply_days"] == {"0": 1, "1": 0, "2": 0, "3+": 0}  # answered the day it came
    board = await zhang.say("/kpi")
    assert "首次答复（按工作日）：当天 1 件" in board and "小时" not in board  # no hour the data cannot carry
    assert figures["answered_in_time_rate"] == 1.0
    assert figures["resolution_rate"] == 1.0
    assert figures["satisfaction_avg"] == 5.0


async def test_employee_cannot_read_or_answer_anothers_ticket_nor_reach_the_inbox(env):
    zhang, wang = await people(env)
    li = await env.join(103, "李强", "1003")
    liu = await env.join(104, "刘洋", "1004")  # secretary, but of 财务部: the ticket is not routed there
    ticket = await submit(wang, "矛盾纠纷", "和班组长在排班上有矛盾。")

    assert "仅限" in await li.say("/inbox")
    for action in ("view", "reply", "resolve", "reopen", "rate5"):
        press = await li.press_data(f"fbk:{ticket}:{action}")
        assert "找不到这个工单" in press.toast, action
    for action in ("view", "take", "reply", "answered", "close"):
        press = await li.press_data(f"inb:{ticket}:{action}")
        assert "仅限" in press.toast, action
        press = await liu.press_data(f"inb:{ticket}:{action}")
        assert "找不到这个工单" in press.toast, action
    assert "没有待办工单" in await liu.say("/inbox")
    assert "您还没有工单" in await li.say("/mytickets")

    # Nothing the forged presses tried happened.
    inbox = await zhang.say("/inbox")
    assert ticket in inbox and "待受理" in inbox


async def test_sixth_ticket_of_the_day_is_refused_and_nothing_is_stored(env, clock):
    zhang, wang = await people(env)
    for n in range(5):
        await submit(wang, "意见建议", f"建议 {n}")
    reply = await wang.say("/feedback")
    assert "今天已经提交了 5 条" in reply
    from sqlalchemy import func, select

    from storage.feedback import FeedbackTicket

    async with env.db.session() as s:
        assert (await s.execute(select(func.count()).select_from(FeedbackTicket))).scalar_one() == 5
    clock.advance(days=1)
    await submit(wang, "意见建议", "第二天的建议")


async def test_escalation_after_three_working_days_each_working_day_never_on_weekends(env, clock):
    zhang, wang = await people(env)
    admin = env.admin()
    await admin.send("/help")
    ticket = await submit(wang, "安全隐患", "三号车间的消防通道被杂物堵住了。")  # Thursday 3 Dec

    def escalations():
        return [t for t in admin.texts() if f"#{ticket}" in t and "无首次答复" in t]

    await env.tick()  # the new-ticket notice (安全隐患 routes nowhere: the admins)
    assert any(f"新工单 #{ticket}" in t for t in admin.texts())
    clock.set(datetime(2026, 12, 8, 12, 0, tzinfo=timezone.utc))  # Tue 8 Dec 20:00, deadline day
    await env.tick()
    assert escalations() == []
    clock.set(datetime(2026, 12, 9, 1, 0, tzinfo=timezone.utc))  # Wed 09:00
    await env.tick()
    await env.tick()
    assert len(escalations()) == 1 and "第 1 次" in escalations()[0]
    clock.advance(days=1)  # Thu
    await env.tick()
    clock.advance(days=1)  # Fri
    await env.tick()
    assert len(escalations()) == 3
    for _ in range(2):  # Sat, Sun
        clock.advance(days=1)
        await env.tick()
    assert len(escalations()) == 3
    clock.advance(days=1)  # Mon
    await env.tick()
    assert len(escalations()) == 4 and "第 4 次" in escalations()[-1]

    await admin.send("/inbox")
    await admin.press(f"#{ticket}")
    await admin.press("答复", admin.find("标记已答复"))
    await admin.say("已安排清理。")
    clock.advance(days=1)
    await env.tick()
    assert len(escalations()) == 4


async def test_text_with_markup_and_5000_characters_arrives_intact(env, clock):
    zhang, wang = await people(env)
    body = ("<b>加粗</b> & 工资条 &amp; 未转义 " * 250)[:5000]
    assert len(body) == 5000
    ticket = await submit(wang, "困难帮扶", body)
    said = [t for m in wang.messages for t in m.get("_history", [])]  # texts before the submit edited them
    assert any("5000 字" in t for t in said)  # the confirm step said how long it was

    await env.tick()
    notice = [m for m in zhang.messages if f"#{ticket}" in (m.get("text") or m.get("caption") or "")]
    file_msg = [m for m in notice if "document" in m]
    assert file_msg, "the whole text follows the notice as a file"
    assert env.fake.files[file_msg[-1]["document"]["file_id"]][1].decode("utf-8") == body
    assert "&lt;b&gt;加粗&lt;/b&gt; &amp; 工资条 &amp;amp;" in notice[0]["text"]
    assert all(len(m.get("text", "")) <= 4096 for m in zhang.messages)

    reply = ("回复 <i>斜体</i> & 说明 " * 400)[:5000]
    view = await zhang.press("查看")
    assert "document" in zhang.last and view.new  # the ticket view sends the full text as a file too
    await zhang.press("答复", zhang.find("标记已答复"))
    await zhang.say(reply)
    await env.tick()
    relay_file = [m for m in wang.messages if "document" in m]
    assert env.fake.files[relay_file[-1]["document"]["file_id"]][1].decode("utf-8") == reply
    assert any("&lt;i&gt;斜体&lt;/i&gt; &amp; 说明" in t for t in wang.texts())
    stats = await env.tick()
    assert stats["dead"] == 0


async def test_staff_see_exactly_what_the_writer_was_promised_for_each_choice(env):
    roster = DEMO_ROSTER + "".join(f"20{i:02d},工人{i},生产部,第一支部,否,employee\n" for i in range(1, 9))
    await env.import_roster(roster)  # 生产部 now has 11 members: big enough to be shown, if the writer wants
    await configure(env, routing={"work": ["生产部"], "other": ["生产部"], "suggestion": ["生产部"]})
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    chen = await env.join(105, "陈静", "1005")  # 财务部: 3 people

    async def file(person, category: str, text: str, choice: str) -> tuple[str, str, str]:
        """Submit with one of the confirm buttons; returns (ticket, what the writer was told, staff's view)."""
        await person.send("/feedback")
        await person.press(category)
        confirm = await person.say(text)
        press = await person.press(choice)
        ticket = ticket_in(press.text)
        await env.tick()
        await zhang.send("/inbox")
        view = (await zhang.press(f"#{ticket}")).text
        return ticket, confirm + "\n" + press.text, view

    _, told, view = await file(wang, "其他", "食堂饭菜偏咸。", "匿名提交")
    assert "处理人只看到内容和类别" in told and "匿名提交，显示部门" in told
    assert "来源：匿名" in view and "生产部" not in view and "王芳" not in view

    _, told, view = await file(wang, "意见建议", "班车晚点。", "匿名提交，显示部门（生产部）")
    assert "处理人看到：内容、类别和您的部门（生产部），不知道您是谁" in told
    assert "来源：生产部（匿名）" in view and "王芳" not in view

    _, told, view = await file(wang, "工作与生产", "设备老化，需要更新。", "署名提交")
    assert "您的姓名（王芳）" in told and "来源：王芳（署名）" in view

    # A department under min_unit_size is never offered, and the writer is told why.
    await chen.send("/feedback")
    await chen.press("其他")
    confirm = await chen.say("财务室空调坏了。")
    assert "不足 10 人" in confirm and "显示部门（" not in confirm
    forged = await chen.press_data("fbk:new:anonunit")
    assert "失效" in forged.toast
    async with env.db.session() as s:
        assert (await s.execute(select(func.count()).select_from(FeedbackPending))).scalar_one() == 0


async def test_photo_attachment_reaches_the_secretary_on_request(env):
    zhang, wang = await people(env)
    await wang.send("/feedback")
    await wang.press("矛盾纠纷")
    await wang.photo(b"\xff\xd8fake-jpeg-bytes")
    assert "附件已收到" in wang.last["text"]
    await wang.send("车间主任当众批评，照片是排班表。")
    assert "photo.jpg" in wang.last["text"]
    ticket = ticket_in((await wang.press("匿名提交")).text)
    await env.tick()
    await zhang.press("查看")
    await zhang.press("附件")
    assert "document" in zhang.last and f"#{ticket}" in zhang.last["caption"]
    assert env.fake.files[zhang.last["document"]["file_id"]][1] == b"\xff\xd8fake-jpeg-bytes"


async def test_draft_survives_a_restart_and_cancel_stores_nothing(env):
    zhang, wang = await people(env)
    await wang.send("/feedback")
    await wang.press("意见建议")
    await env.restart()
    await wang.send("建议增加班车。")
    assert "请确认" in wang.last["text"]
    assert "已放弃" in (await wang.press("取消")).text
    assert "您还没有工单" in await wang.say("/mytickets")


async def test_answered_reopen_close_unresolved_and_rating_rules(env):
    zhang, wang = await people(env)
    ticket = await submit(wang, "矛盾纠纷", "调岗没有提前沟通。")
    await env.tick()
    assert "收到答复后才能评分" in (await wang.press_data(f"fbk:{ticket}:rate4")).toast
    view = await zhang.press("查看")
    assert "请先答复" in (await zhang.press("标记已答复", view.message)).toast
    await zhang.press("答复", zhang.find("标记已答复"))
    await zhang.say("已约谈双方，下周给出方案。")
    await zhang.send("/inbox")
    await zhang.press(f"#{ticket}")
    marked = await zhang.press("标记已答复")
    assert "已标记为答复完毕" in marked.text
    await env.tick()
    assert "已答复完毕" in wang.last["text"]
    reopened = await wang.press("重新打开")
    assert "重新打开" in reopened.text and "办理中" in reopened.text
    await env.tick()
    assert "未解决，工单已重新打开" in zhang.last["text"]
    await zhang.send("/inbox")
    await zhang.press(f"#{ticket}")
    asked = await zhang.press("关闭（未解决）")
    assert "请写明原因" in asked.text
    # No reason, no closing: the refusal says so and the ticket stays as it was.
    assert "关闭工单需要原因" in await zhang.say("   ")
    async with env.db.session() as s:
        from storage.feedback import FeedbackTicket

        assert (await s.get(FeedbackTicket, ticket)).status == "assigned"
    confirm = await zhang.send("调岗属于人事部门决定，本部门无权更改。")
    assert "确认关闭" in confirm[-1]["text"] and "无权更改" in confirm[-1]["text"]
    await env.tick()
    async with env.db.session() as s:
        assert (await s.get(FeedbackTicket, ticket)).status == "assigned"  # typed, not yet confirmed
    closed = await zhang.press("确认关闭")
    assert "已关闭（未解决）" in closed.text and "未解决原因：调岗属于人事部门决定" in closed.text
    await env.tick()
    assert "未能解决" in wang.last["text"] and "原因：调岗属于人事部门决定" in wang.last["text"]
    async with env.db.session() as s:
        assert (await s.get(FeedbackTicket, ticket)).close_reason == "调岗属于人事部门决定，本部门无权更改。"
    assert "已关闭" in (await wang.press_data(f"fbk:{ticket}:reply")).toast
    await wang.press("重新打开")
    await wang.press("⭐⭐⭐⭐")
    await env.tick()  # the writer's actions are applied by the tick
    async with env.db.session() as s:
        from storage.feedback import FeedbackTicket

        row = await s.get(FeedbackTicket, ticket)
        assert row.status == "assigned" and row.rating == 4 and row.closed_on is None


async def test_a_photo_in_the_thread_is_refused_clearly_and_nothing_is_sent(env):
    zhang, wang = await people(env)
    ticket = await submit(wang, "困难帮扶", "需要帮扶。")
    await env.tick()
    await wang.press_data(f"fbk:{ticket}:reply")
    await wang.photo(b"jpeg", caption="补充照片")
    assert "只能是文字" in wang.last["text"]
    assert "已发送" in await wang.say("补充说明：家里有两位老人。")
    await env.tick()
    assert "家里有两位老人" in zhang.last["text"] and "补充照片" not in "".join(zhang.texts())


async def test_a_late_evening_reply_waits_for_the_end_of_the_quiet_hours(env, clock):
    zhang, wang = await people(env)
    ticket = await submit(wang, "困难帮扶", "想申请困难补助。")
    await env.tick()
    clock.set(datetime(2026, 12, 3, 23, 30, tzinfo=env.ctx.tz))
    await zhang.send("/inbox")
    await zhang.press(f"#{ticket}")
    await zhang.press("答复", zhang.find("标记已答复"))
    await zhang.say("明天上午来党群工作部领表。")
    before = len(wang.messages)
    await env.tick()
    assert len(wang.messages) == before
    clock.set(datetime(2026, 12, 4, 8, 0, tzinfo=env.ctx.tz))
    await env.tick()
    assert "明天上午来党群工作部领表" in wang.last["text"]


async def test_an_english_speaker_gets_every_step_in_english(env):
    zhang, wang = await people(env)
    emily = await env.join(107, "Emily", "1007", lang="en")
    assert "anonymous" in await emily.say("/feedback")
    await emily.press("Suggestion")
    assert "Anonymous by default" in await emily.say("Could the shuttle bus leave at 17:45?")
    press = await emily.press("Submit anonymously")
    assert "Submitted: ticket" in press.text
    assert "Suggestion" in await emily.say("/mytickets")


async def test_a_stranger_gets_only_the_registration_prompt_whatever_they_send_or_press(env):
    zhang, wang = await people(env)
    ticket = await submit(wang, "困难帮扶", "家里老人住院。")
    await env.tick()
    stranger = env.person(999, "路人")
    for command in ("/feedback", "/mytickets", "/inbox"):
        assert "邀请码" in await stranger.say(command), command
    for data in (f"fbk:{ticket}:view", f"fbk:{ticket}:resolve", f"fbk:{ticket}:rate1", "fbk:new:cat-hardship",
                 f"inb:{ticket}:view", f"inb:{ticket}:take", f"inb:{ticket}:close", f"inb:{ticket}:resolve"):
        press = await stranger.press_data(data)
        assert all(ticket not in (m.get("text") or "") for m in press.new), data
        assert ticket not in (press.toast or "")
    assert all("老人" not in t and ticket not in t for t in stranger.texts())
    await stranger.say("我想反映一个问题")  # free text starts nothing either
    from sqlalchemy import func, select

    from storage.models.dialogs import Dialog
    from storage.feedback import FeedbackTicket

    async with env.db.session() as s:
        row = await s.get(FeedbackTicket, ticket)
        assert (row.status, row.assignee_id, row.closed_on, row.rating) == ("open", None, None, None)
        assert (await s.execute(select(func.count()).select_from(Dialog))).scalar_one() == 0


async def test_a_secretary_takes_the_ticket_asks_a_question_and_only_the_assignee_hears_the_answer(env):
    await env.import_roster(DEMO_ROSTER)
    await configure(env, routing={"work": ["生产部", "财务部"]})
    zhang = await env.join(101, "张伟", "1001")   # secretary of 生产部
    liu = await env.join(104, "刘洋", "1004")     # secretary of 财务部
    wang = await env.join(102, "王芳", "1002")
    ticket = await submit(wang, "工作与生产", "夜班补贴一直没发。")
    await env.tick()
    assert any(f"新工单 #{ticket}" in t for t in zhang.texts())
    assert any(f"新工单 #{ticket}" in t for t in liu.texts())

    await zhang.send("/inbox")
    await zhang.press(f"#{ticket}")
    taken = await zhang.press("受理")
    assert f"已受理工单 #{ticket}" in taken.toast and "办理中" in taken.text and "办理人：张伟" in taken.text
    assert "办理中" in await liu.say("/inbox")  # the other office sees it taken

    await zhang.press("追问", zhang.find("标记已答复"))
    assert "追问" in zhang.last["text"]
    assert "追问已转给" in await zhang.say("是哪个月的补贴？")
    await env.tick()
    question = wang.last["text"]
    assert "想再了解一些情况" in question and "是哪个月的补贴" in question and "党群工作部" in question
    assert "张伟" not in question
    # A question is not an answer: nothing to rate yet, and a forged rating press changes nothing.
    buttons = [b["text"] for row in wang.last.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
    assert not [b for b in buttons if "⭐" in b]
    assert "收到答复后才能评分" in (await wang.press_data(f"fbk:{ticket}:rate5")).toast
    await env.tick()
    async with env.db.session() as s:
        from storage.feedback import FeedbackTicket

        assert (await s.get(FeedbackTicket, ticket)).rating is None

    liu_before = len(liu.messages)
    await wang.press("回复")
    await wang.say("十月和十一月的。")
    await env.tick()
    assert "十月和十一月的" in zhang.last["text"]
    assert len(liu.messages) == liu_before  # the writer's answer goes to the assignee only
    async with env.db.session() as s:
        from storage.feedback import FeedbackTicket

        row = await s.get(FeedbackTicket, ticket)
        assert row.status == "assigned" and row.first_reply_at is not None and row.answered_in_time
