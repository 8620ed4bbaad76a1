"""Leader reception days, as members, secretaries and the leader meet them in the chat."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tests.support.botenv import DEMO_ROSTER
from tests.support.reception import DAY, booked_count, booking_id, bookings, make_day
from tests.support.refusals import refusal, snapshot

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


async def book(person, slot_button: str, topic: str) -> str:
    await person.send("/reception")
    await person.press(slot_button)
    return await person.say(topic)


async def test_member_books_cancels_and_rebooks(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    slots = await make_day(env)
    shown = await wang.send("/reception")
    text = shown[0]["text"]
    assert "赵磊" in text and "办公楼 301" in text and "预约截止：2026-12-11" in text
    press = await wang.press("14:00（余1）")
    assert "请输入您要反映的事项" in press.text
    reply = await wang.say("食堂午餐排队时间太长")
    assert "预约成功" in reply and "14:00–14:30" in reply and "食堂午餐排队时间太长" in reply
    assert await booked_count(env, slots[0]) == 1

    listing = await wang.send("/mybookings")
    assert "已预约" in listing[0]["text"] and "食堂午餐排队时间太长" in listing[0]["text"]
    press = await wang.press("取消 12-15 14:00")
    assert "已取消" in press.text and press.toast == "已取消"
    assert await booked_count(env, slots[0]) == 0
    assert "没有接待日预约" in (await wang.send("/mybookings"))[0]["text"]

    reply = await book(wang, "14:30（余1）", "宿舍热水时有时无")
    assert "预约成功" in reply and "14:30–15:00" in reply
    assert await bookings(env) == [("1002", slots[0], "cancelled"), ("1002", slots[1], "booked")]


async def test_topic_is_required_and_at_most_500_characters(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    slots = await make_day(env)
    await wang.send("/reception")
    await wang.press("14:00（余1）")
    assert "太长" in await wang.say("长" * 501)
    assert await bookings(env) == []
    await wang.photo(b"\xff\xd8 not really a photo")
    assert "必填" in wang.texts()[-1]
    assert "预约成功" in await wang.say("长" * 500)
    assert await booked_count(env, slots[0]) == 1


async def test_no_booking_inside_the_notice_period(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    tuesday = date(2026, 12, 8)  # Thursday now: Friday, Monday, Tuesday are three working days away
    slots = await make_day(env, day=tuesday)
    shown = await wang.send("/reception")
    assert "预约截止：2026-12-04" in shown[0]["text"] and shown[0].get("reply_markup")
    clock.set(local(date(2026, 12, 7), 9))  # Monday: one working day left
    shown = await wang.send("/reception")
    assert "预约已截止" in shown[0]["text"] and not shown[0].get("reply_markup")
    press = await wang.press_data(f"rcp:{slots[0]}:book")
    assert "提前 2 个工作日" in press.toast
    assert await bookings(env) == []


async def test_a_booking_flow_overtaken_by_the_notice_period_ends_instead_of_trapping_the_member(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    slots = await make_day(env, day=date(2026, 12, 8))  # the last day to book is Friday the 4th
    clock.set(local(date(2026, 12, 4), 17))
    await wang.send("/reception")
    assert "请输入您要反映的事项" in (await wang.press("14:00（余1）")).text
    clock.set(local(date(2026, 12, 7), 9))  # the topic comes on Monday
    assert "提前 2 个工作日" in await wang.say("食堂排队")
    assert "请点下面菜单中的功能" in await wang.say("食堂排队")  # the flow is over: the text is not taken as a topic
    assert await bookings(env) == [] and await booked_count(env, slots[0]) == 0


async def test_one_booking_per_member_per_day(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    slots = await make_day(env, capacity=2)
    await book(wang, "14:00（余2）", "食堂排队")
    shown = await wang.send("/reception")
    assert "您已预约：14:00" in shown[0]["text"] and not shown[0].get("reply_markup")
    press = await wang.press_data(f"rcp:{slots[1]}:book")
    assert "每人每个接待日限一个" in press.toast
    assert [s for _, s, _ in await bookings(env)] == [slots[0]]


async def test_cancellation_only_until_the_day_before(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    slots = await make_day(env)
    await book(wang, "14:00（余1）", "食堂排队")
    listing = (await wang.send("/mybookings"))[0]
    clock.set(local(DAY, 9))
    press = await wang.press("取消 12-15 14:00", listing)
    assert "当天" in press.toast
    assert await booked_count(env, slots[0]) == 1
    assert "取消" not in str((await wang.send("/mybookings"))[0].get("reply_markup"))


async def _waitlist(person, topic: str) -> str:
    await person.send("/reception")
    press = await person.press("14:00 已满·候补")
    assert "加入候补" in press.text and "请输入您要反映的事项" in press.text
    return await person.say(topic)


async def test_waitlist_promotion_and_hold_expiry(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    li = await env.join(202, "李强", "1003")
    chen = await env.join(203, "陈静", "1005")
    slots = await make_day(env)
    await book(wang, "14:00（余1）", "食堂排队")
    assert "排在第 1 位" in await _waitlist(li, "停车位不够")
    assert "排在第 2 位" in await _waitlist(chen, "班车时间不合适")

    # A newcomer cannot jump the queue when Wang cancels: the place is held for Li.
    await wang.press("取消 12-15 14:00", (await wang.send("/mybookings"))[0])
    assert await booked_count(env, slots[0]) == 1
    await env.tick()
    offer = li.messages[-1]
    assert "空出了一个名额" in offer["text"] and "12-03 11:00" in offer["text"]
    listing = await li.send("/mybookings")
    assert "候补名额待确认" in listing[0]["text"]

    clock.advance(hours=2, minutes=1)
    await env.tick()
    assert "已顺延给下一位" in li.texts()[-1]
    assert "空出了一个名额" in chen.texts()[-1]
    press = await li.press_data(li.find("确认预约")["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    assert "不再保留" in press.toast

    press = await chen.press("确认预约")
    assert "已确认预约" in press.text
    assert await bookings(env) == [("1002", slots[0], "cancelled"), ("1003", slots[0], "lapsed"),
                                   ("1005", slots[0], "booked")]
    assert await booked_count(env, slots[0]) == 1
    await env.tick()
    assert "已预约" in (await chen.send("/mybookings"))[0]["text"]


async def test_declined_offer_with_nobody_waiting_gives_the_place_back(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    li = await env.join(202, "李强", "1003")
    slots = await make_day(env)
    await book(wang, "14:00（余1）", "食堂排队")
    await _waitlist(li, "停车位不够")
    await wang.press("取消 12-15 14:00", (await wang.send("/mybookings"))[0])
    await env.tick()
    press = await li.press("放弃")
    assert "顺延" in press.text
    assert await booked_count(env, slots[0]) == 0
    assert "14:00（余1）" in str((await wang.send("/reception"))[0]["reply_markup"])


async def test_whoever_still_waits_when_the_slot_begins_is_told_the_waitlist_has_ended(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    li = await env.join(202, "李强", "1003")
    slots = await make_day(env)
    await book(wang, "14:00（余1）", "食堂排队")
    await _waitlist(li, "停车位不够")
    clock.set(local(DAY, 13, 59))
    await env.tick()
    assert "候补第 1 位" in (await li.send("/mybookings"))[0]["text"]
    clock.set(local(DAY, 14))
    await env.tick()
    await env.tick()
    assert sum("候补已结束" in t for t in li.texts()) == 1 and "停车位不够" in li.texts()[-1]
    assert await bookings(env) == [("1002", slots[0], "booked"), ("1003", slots[0], "lapsed")]
    assert await booked_count(env, slots[0]) == 1


async def test_reminders_the_day_before_and_an_hour_before_each_once(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    await make_day(env)
    await book(wang, "14:00（余1）", "食堂排队")
    before = len(wang.messages)
    clock.set(local(date(2026, 12, 14), 8, 59))
    await env.tick()
    assert len(wang.messages) == before
    clock.set(local(date(2026, 12, 14), 9))
    await env.tick()
    await env.tick()
    assert len(wang.messages) == before + 1 and "提醒：您预约了 赵磊" in wang.texts()[-1]
    await env.restart()
    clock.set(local(DAY, 13))
    await env.tick()
    await env.tick()
    assert len(wang.messages) == before + 2 and "一小时后" in wang.texts()[-1] and "14:00" in wang.texts()[-1]


async def test_agenda_reaches_the_leader_and_secretary_the_evening_before_and_again_when_it_changes(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    zhao = await env.join(206, "赵磊", "1006")
    liu = await env.join(204, "刘洋", "1004")  # secretary of 赵磊's branch
    zhang = await env.join(205, "张伟", "1001")  # secretary elsewhere
    await make_day(env)
    await book(wang, "14:00（余1）", "食堂排队")
    clock.set(local(date(2026, 12, 14), 17, 59))
    await env.tick()
    assert not any("议程" in t for t in zhao.texts())
    clock.set(local(date(2026, 12, 14), 18))
    await env.tick()
    agenda = zhao.texts()[-1]
    assert "明日接待日议程" in agenda and "14:00 王芳：食堂排队" in agenda
    assert "14:00 王芳：食堂排队" in liu.texts()[-1]
    assert not any("议程" in t for t in zhang.texts())
    await env.tick()
    assert sum("议程" in t for t in zhao.texts()) == 1

    clock.set(local(date(2026, 12, 14), 19))
    await wang.press("取消 12-15 14:00", (await wang.send("/mybookings"))[0])
    await env.tick()
    assert "接待日议程已更新" in zhao.texts()[-1] and "暂无预约" in zhao.texts()[-1]


async def _meeting_held(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    liu = await env.join(204, "刘洋", "1004")
    await make_day(env)
    await book(wang, "14:00（余1）", "车间通风不好")
    clock.set(local(DAY, 16, 5))
    await env.tick()
    sheet = liu.messages[-1]
    assert "请登记接待结果" in sheet["text"] and "1. 14:00 王芳：车间通风不好" in sheet["text"]
    return wang, liu


async def test_outcome_resolved_on_the_spot_is_told_to_the_member(env, clock):
    wang, liu = await _meeting_held(env, clock)
    press = await liu.press("1 当场解决")
    assert "请输入当场的处理结果" in press.text
    assert "已登记" in await liu.say("已安排后勤本周加装排风扇")
    await env.tick()
    assert "当场解决" in wang.texts()[-1] and "加装排风扇" in wang.texts()[-1]
    again = await liu.press("1 当场解决")
    assert "已经登记" in again.toast
    board = await env.admin().say("/kpi 2026-12")
    assert "接待 1 次，预约 1，到场 1，反映事项 1，当场解决 1，转为任务 0" in board


async def test_an_outcome_recorded_by_someone_else_meanwhile_ends_the_secretarys_flow(env, clock):
    wang, liu = await _meeting_held(env, clock)
    await liu.press("1 转任务")
    assert "无法识别" in await liu.say("1003 生产部")  # a typing mistake: the flow waits for a better answer
    admin = env.admin()
    assert "未到" in (await admin.press_data(f"rcw:{await booking_id(env, '1002')}:absent")).new[-1]["text"]
    assert "已经登记" in await liu.say("1003 生产部 2026-12-31")
    assert "请点下面菜单中的功能" in await liu.say("1003 生产部 2026-12-31")  # not taken as a task order any more
    from sqlalchemy import func, select

    from storage.tasks import Task

    async with env.db.session() as s:
        assert (await s.execute(select(func.count(Task.id)))).scalar_one() == 0


async def test_outcome_turned_into_a_task_on_the_responsibility_list(env, clock):
    wang, liu = await _meeting_held(env, clock)
    await liu.press("1 转任务")
    assert "找不到部门" in await liu.say("1003 后勤部 2026-12-31")
    reply = await liu.say("1003 生产部 2026-12-31")
    assert "已转为任务" in reply and "李强" in reply and "2026-12-31" in reply
    await env.tick()
    assert "已列入责任清单" in wang.texts()[-1] and "生产部" in wang.texts()[-1]
    from sqlalchemy import select

    from storage.reception import Booking
    from storage.tasks import Task

    async with env.db.session() as s:
        booking = (await s.execute(select(Booking))).scalar_one()
        task = await s.get(Task, booking.task_id)
    assert booking.outcome == "task" and booking.attended is True
    assert "车间通风不好" in task.title and "王芳" in task.description
    assert task.task_no in wang.texts()[-1] and str(task.due_date) == "2026-12-31"
    async with env.db.session() as s:
        from storage import members, units

        assert task.owner_id == (await members.by_employee_no(s, "1003")).id
        assert task.lead_unit_id == (await units.by_name(s, "department", "生产部")).id
    assert "已转为责任清单任务跟进" in (await wang.send("/mybookings"))[0]["text"]


async def test_forged_callbacks_are_refused(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")  # 生产部
    slots = await make_day(env, audience="unit:财务部")
    assert "没有可以预约" in (await wang.send("/reception"))[0]["text"]
    press = await wang.press_data(f"rcp:{slots[0]}:book")
    assert "不在您可预约的范围内" in press.toast
    assert "不在您可预约的范围内" in (await wang.press_data(f"rcp:{slots[0]}:wait")).toast
    before = await snapshot(env.db)
    assert (await wang.press_data("rcp:99999:book")).toast == refusal("zh", "reception_gone")
    assert await snapshot(env.db) == before
    stranger = env.person(666, "Mallory")  # never registered
    for data in (f"rcp:{slots[0]}:book", "bkg:1:cancel", "rcw:new:once"):
        press = await stranger.press_data(data)
        assert "接待" not in press.toast + press.text and "邀请码" in press.toast + press.text
    assert "邀请码" in await stranger.say("/reception") and "邀请码" in await stranger.say("/mybookings")
    assert (await wang.press_data("bkg:1:cancel")).toast == refusal("zh", "reception_booking_gone")
    assert await snapshot(env.db) == before
    assert "仅限" in (await wang.press_data("rcw:1:res")).toast
    assert await bookings(env) == []


async def test_forged_presses_on_someone_elses_booking_or_outcome_change_nothing(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    li = await env.join(202, "李强", "1003")
    zhang = await env.join(205, "张伟", "1001")  # a secretary, but not over 赵磊's office or branch
    liu = await env.join(204, "刘洋", "1004")  # the secretary who looks after 赵磊's days
    slots = await make_day(env)
    await book(wang, "14:00（余1）", "食堂排队")
    mine = await booking_id(env, "1002")
    for action in ("cancel", "confirm", "decline"):
        assert "已不存在" in (await li.press_data(f"bkg:{mine}:{action}")).toast
    assert "仅限" in (await li.press_data("rcw:new:once")).toast
    assert "仅限" in (await li.press_data(f"rcw:{mine}:absent")).toast
    assert await bookings(env) == [("1002", slots[0], "booked")]

    clock.set(local(DAY, 16, 5))
    await env.tick()
    assert "仅限" in (await zhang.press_data(f"rcw:{mine}:absent")).toast
    assert "仅限" in (await zhang.press_data(f"rcw:{mine}:res")).toast
    assert "按钮已失效" in (await zhang.press_data("rcw:new:monthly")).toast  # no wizard open
    assert "未到" in (await liu.press("1 未到")).text
    from sqlalchemy import select

    from storage.reception import Booking

    async with env.db.session() as s:
        booking = await s.get(Booking, mine)
        assert (booking.outcome, booking.attended, booking.outcome_by is not None) == ("absent", False, True)
        assert (await s.execute(select(Booking.id))).scalars().all() == [mine]


async def test_secretary_creates_a_monthly_reception_day_step_by_step(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(205, "张伟", "1001")
    wang = await env.join(201, "王芳", "1002")
    assert "仅限" in await wang.say("/newreception")
    assert "1006 赵磊" in await zhang.say("/newreception")
    assert "没有找到姓名或工号为“9999”" in await zhang.say("9999")
    assert "第 2 步" in await zhang.say("1006")
    assert "不是有效日期" in await zhang.say("下周二")
    assert "第 3 步" in await zhang.say("2026-12-15")
    assert "排不下" in await zhang.say("14:00-14:20 30")
    assert "第 4 步" in await zhang.say("14:00-16:00 30 2")
    assert "第 5 步" in await zhang.say("办公楼 301")
    assert "第 6 步" in (await zhang.press("全体人员")).text
    assert "0 到 30" in await zhang.say("很多天")
    assert "第 7 步" in await zhang.say("3 个工作日")
    press = await zhang.press("每月这一天")
    assert "已创建接待日" in press.text and "至少提前 3 个工作日" in press.text
    assert "2026-12-15 14:00–16:00" in press.text and "2027-01-15" in press.text and "2027-02-15" in press.text
    shown = await wang.send("/reception")
    assert len(shown) == 3 and "14:00（余2）" in str(shown[0]["reply_markup"])
    assert "预约截止：2026-12-10" in shown[0]["text"]  # three working days before Tuesday the 15th


async def test_the_wizard_offers_the_default_notice_of_two_working_days(env, clock):
    await env.import_roster(DEMO_ROSTER)
    admin = env.admin()
    await admin.send("/start")
    for answer in ("/newreception", "1006", "2026-12-15", "14:00-15:00", "办公楼 301", "unit:生产部"):
        await admin.say(answer)
    assert "第 7 步" in (await admin.press("提前 2 个工作日")).text
    assert "至少提前 2 个工作日" in (await admin.press("仅此一次")).text
    wang = await env.join(201, "王芳", "1002")
    shown = await wang.send("/reception")
    assert len(shown) == 1 and "预约截止：2026-12-11" in shown[0]["text"]

    for answer in ("/newreception", "1006", "2026-12-04", "09:00-10:00", "办公楼 301", "all", "0"):
        await admin.say(answer)
    clock.set(local(date(2026, 12, 4), 9, 30))  # the wizard stood open past the day's start
    assert "已经过去" in (await admin.press("仅此一次")).toast
    assert "请点下面菜单中的功能" in await admin.say("1006")  # the flow is over, nothing half-made
    assert len(await wang.send("/reception")) == 1
    chen = await env.join(203, "陈静", "1005")  # 财务部: not in the audience
    assert "没有可以预约" in (await chen.send("/reception"))[0]["text"]


async def test_slot_taken_while_typing_offers_the_waitlist_without_retyping_the_topic(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    li = await env.join(202, "李强", "1003")
    slots = await make_day(env)
    for person in (wang, li):
        await person.send("/reception")
        await person.press("14:00（余1）")
    assert "预约成功" in await wang.say("食堂排队")
    reply = await li.say("停车位不够")
    assert "就在刚才" in reply and "已约满" in reply
    press = await li.press("加入候补")
    assert "排在第 1 位" in press.text and "停车位不够" in press.text
    assert await bookings(env) == [("1002", slots[0], "booked"), ("1003", slots[0], "waiting")]
    assert "请点下面菜单中的功能" in await li.say("随便说一句")  # the flow is over: nothing else is booked


async def test_a_leader_cannot_book_their_own_day_and_sees_it_as_their_agenda_first(env):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    zhao = await env.join(206, "赵磊", "1006")
    slots = await make_day(env)  # 赵磊's day
    await make_day(env, leader="1001", place="会议室 2", start=time(9), end=time(10))  # 张伟 receives too
    await book(wang, "14:00（余1）", "食堂午餐排队时间太长")

    shown = await zhao.send("/reception")
    assert "您的接待日" in shown[0]["text"] and "王芳：食堂午餐排队时间太长" in shown[0]["text"]
    assert "14:30" not in shown[0]["text"] and not shown[0].get("reply_markup")
    assert "张伟" in shown[1]["text"] and shown[1].get("reply_markup")  # someone else's day, bookable
    assert len(shown) == 2

    press = await zhao.press_data(f"rcp:{slots[1]}:book")
    assert "是您本人的接待日，不能预约" in press.toast
    await zhao.send("/reception")
    assert await bookings(env) == [("1002", slots[0], "booked")] and await booked_count(env, slots[1]) == 0


async def test_a_monthly_day_that_falls_on_a_sunday_moves_to_monday_and_the_secretary_is_told(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(205, "张伟", "1001")
    for answer in ("/newreception", "1006", "2027-01-14", "14:00-16:00 30 1", "办公楼 301"):
        await zhang.say(answer)
    await zhang.press("全体人员")
    await zhang.say("2")
    press = await zhang.press("每月这一天")
    assert "2027-01-14 14:00–16:00" in press.text and "2027-02-15 14:00–16:00" in press.text
    assert "2027-02-14（周日）不是工作日，已改到 2027-02-15（周一）" in press.text
    assert "2027-03-14（周日）不是工作日，已改到 2027-03-15（周一）" in press.text
    from sqlalchemy import select

    from storage.reception import ReceptionDay

    async with env.db.session() as s:
        days = (await s.execute(select(ReceptionDay.day).order_by(ReceptionDay.day))).scalars().all()
    assert days == [date(2027, 1, 14), date(2027, 2, 15), date(2027, 3, 15)]


async def test_a_weekly_day_on_a_sunday_is_refused_before_anything_is_made(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(205, "张伟", "1001")
    for answer in ("/newreception", "1006", "2026-12-13", "14:00-16:00", "办公楼 301"):
        await zhang.say(answer)
    await zhang.press("全体人员")
    await zhang.say("2")
    press = await zhang.press("每周这一天")
    assert "每周接待日不能定在周日" in press.toast
    assert await bookings(env) == []
    from sqlalchemy import func, select

    from storage.reception import ReceptionDay, ReceptionSeries

    async with env.db.session() as s:
        assert (await s.execute(select(func.count(ReceptionDay.id)))).scalar_one() == 0
        assert (await s.execute(select(func.count(ReceptionSeries.id)))).scalar_one() == 0


async def test_a_place_freed_at_night_is_held_two_waking_hours_and_never_runs_out_in_quiet_hours(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(201, "王芳", "1002")
    li = await env.join(202, "李强", "1003")
    slots = await make_day(env)
    await book(wang, "14:00（余1）", "食堂排队")
    assert "免打扰时段不计在内" in await _waitlist(li, "停车位不够")

    clock.set(local(date(2026, 12, 3), 21, 27))
    await wang.press("取消 12-15 14:00", (await wang.send("/mybookings"))[0])
    await env.tick()
    assert "已为您保留到 12-04 09:27" in li.texts()[-1]  # 33 minutes tonight, the rest after 08:00
    clock.set(local(date(2026, 12, 3), 23, 28))
    await env.tick()
    clock.set(local(date(2026, 12, 4), 9, 0))
    await env.tick()
    assert "已顺延" not in li.texts()[-1]
    assert "已确认预约" in (await li.press("确认预约")).text
    assert await bookings(env) == [("1002", slots[0], "cancelled"), ("1003", slots[0], "booked")]
