"""The bot does the chasing: reminders before the deadline, the overdue notice and alert, daily overdue
reminders, escalation to the admins, quiet hours, restarts, and the secretaries' morning digest.
Time is injected (the `clock` fixture), never slept."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage import producers, tasks
from storage.models.org import Member
from storage.tasks import Task
from storage.roster import apply as roster_apply, check as roster_check
from tests.support.botenv import DEMO_ROSTER
from tests.support.tasks import cast, import_tasks, open_task, texts_since

SHANGHAI = ZoneInfo("Asia/Shanghai")
REMINDER_MARKS = ("到期", "已逾期")


def at(clock, local: str) -> None:
    """Move the shared clock to a Shanghai wall-clock time, e.g. '2026-12-04 09:00'."""
    clock.set(datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI))


def reminders(texts: list[str]) -> list[str]:
    return [t.splitlines()[0] for t in texts if t and any(m in t.splitlines()[0] for m in REMINDER_MARKS)]


async def test_each_stage_reaches_the_owner_once_then_the_secretaries_then_the_admins(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-07,")
    start = len(c.wang.messages)
    seen = []
    for moment in ("2026-12-03 09:00", "2026-12-04 09:00", "2026-12-04 15:00", "2026-12-05 09:00",
                   "2026-12-06 09:00", "2026-12-07 09:00", "2026-12-07 21:00", "2026-12-08 00:00",
                   "2026-12-08 07:59", "2026-12-08 08:00", "2026-12-08 12:00", "2026-12-09 09:00",
                   "2026-12-10 09:00", "2026-12-11 09:00", "2026-12-11 10:00"):
        at(clock, moment)
        before = len(c.wang.messages)
        await env.tick()
        await env.tick()  # a second tick at the same moment sends nothing again
        seen.append((moment, reminders(texts_since(c.wang, before))))
    assert seen == [
        ("2026-12-03 09:00", []),
        ("2026-12-04 09:00", ["🔵 任务提醒：还有 3 天到期"]),
        ("2026-12-04 15:00", []),
        ("2026-12-05 09:00", []),
        ("2026-12-06 09:00", ["🟡 任务提醒：还有 1 天到期"]),
        ("2026-12-07 09:00", ["🟡 任务今天到期"]),
        ("2026-12-07 21:00", []),
        ("2026-12-08 00:00", []),  # quiet hours: the overdue notice waits for the morning
        ("2026-12-08 07:59", []),
        ("2026-12-08 08:00", ["🔴 任务已逾期"]),
        ("2026-12-08 12:00", []),
        ("2026-12-09 09:00", ["🔴 任务已逾期 2 天，请尽快办理"]),
        ("2026-12-10 09:00", ["🔴 任务已逾期 3 天，请尽快办理"]),
        ("2026-12-11 09:00", ["🔴 任务已逾期 4 天，请尽快办理"]),
        ("2026-12-11 10:00", []),
    ]
    assert len(reminders(texts_since(c.wang, start))) == 7
    alerts = [t for t in c.zhang.texts() if "逾期预警" in t]
    assert len(alerts) == 1 and "责任人：王芳" in alerts[0]
    assert not any("逾期预警" in t for t in c.liu.texts())  # 财务部's secretary is not the lead unit's
    escalations = [t for t in c.admin.texts() if "督办升级" in t]
    assert len(escalations) == 1 and "逾期已 3 天" in escalations[0]
    assert not any("督办升级" in t for t in c.zhang.texts())


async def test_quiet_hours_hold_a_reminder_until_the_morning(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,夜间抢修,生产部,,1002,2026-12-03 23:00,")
    at(clock, "2026-12-03 23:00")
    before = len(c.wang.messages)
    await env.tick()
    at(clock, "2026-12-04 03:00")
    await env.tick()
    assert reminders(texts_since(c.wang, before)) == []
    at(clock, "2026-12-04 08:00")
    await env.tick()
    assert reminders(texts_since(c.wang, before)) == ["🔴 任务已逾期"]


async def test_reporting_done_stops_reminders_at_once_even_those_already_queued(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-06,")
    await env.tick()  # the 3-days-before reminder is due right now
    assert reminders(c.wang.texts()) == ["🔵 任务提醒：还有 3 天到期"]
    at(clock, "2026-12-05 09:00")
    await producers.run_all(env.db, env.ctx)  # the 1-day reminder is queued but not sent yet
    await open_task(c.wang, "T-1")
    await c.wang.press("完成")
    await c.wang.say("完成了")
    before = len(c.wang.messages)
    for moment in ("2026-12-05 09:01", "2026-12-06 09:00", "2026-12-07 08:00", "2026-12-12 09:00"):
        at(clock, moment)
        await env.tick()
    assert reminders(texts_since(c.wang, before)) == []
    assert not any("逾期预警" in t for t in c.zhang.texts())


async def test_a_restart_between_ticks_neither_repeats_nor_loses_a_reminder(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-06,")
    await env.tick()
    await env.restart()
    await env.tick()
    assert reminders(c.wang.texts()) == ["🔵 任务提醒：还有 3 天到期"]
    # Crash after the producer wrote the reminder but before it was sent: the restarted bot sends it, once.
    at(clock, "2026-12-05 09:00")
    await producers.run_all(env.db, env.ctx)
    await env.restart()
    await env.tick()
    await env.restart()
    await env.tick()
    assert reminders(c.wang.texts()) == ["🔵 任务提醒：还有 3 天到期", "🟡 任务提醒：还有 1 天到期"]


async def test_after_downtime_only_the_current_stage_is_sent(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-04,")
    before = len(c.wang.messages)
    at(clock, "2026-12-09 10:00")  # the bot was down from Thursday to the next Wednesday
    await env.tick()
    assert reminders(texts_since(c.wang, before)) == ["🔴 任务已逾期 5 天，请尽快办理"]
    assert sum("逾期预警" in t for t in c.zhang.texts()) == 1
    assert sum("督办升级" in t for t in c.admin.texts()) == 1


async def test_a_returned_task_is_reminded_again(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-04,")
    await open_task(c.wang, "T-1")
    await c.wang.press("完成")
    await c.wang.say("完成了")
    at(clock, "2026-12-05 09:00")
    await env.tick()
    assert reminders(c.wang.texts()) == []
    await env.tick()
    await c.zhang.press("退回")
    await c.zhang.say("没有签到表")
    await env.tick()
    assert reminders(c.wang.texts()) == ["🔴 任务已逾期"]
    assert sum("逾期预警" in t for t in c.zhang.texts()) == 1


async def test_the_morning_digest_reaches_secretaries_with_something_to_follow(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,即将到期,生产部,,1002,2026-12-06,", "T-2,早已逾期,生产部,,1003,2026-12-01,",
                       "T-3,已经办完,生产部,,1002,2026-12-20,")
    await open_task(c.wang, "T-3")
    await c.wang.press("完成")
    await c.wang.say("办完了")
    at(clock, "2026-12-04 08:29")
    await env.tick()
    assert not any("责任清单日报" in t for t in c.zhang.texts())
    at(clock, "2026-12-04 08:30")
    await env.tick()
    await env.tick()
    digests = [t for t in c.zhang.texts() if "责任清单日报" in t]
    assert len(digests) == 1
    digest = digests[0]
    assert "2026-12-04" in digest and "已逾期（1）" in digest and "早已逾期" in digest
    assert "3 天内到期（1）" in digest and "即将到期" in digest
    assert "已报完成待确认（1）" in digest and "已经办完 · 王芳" in digest
    assert not any("责任清单日报" in t for t in c.liu.texts())  # nothing in 财务部: no digest
    assert not any("责任清单日报" in t for t in c.wang.texts())
    at(clock, "2026-12-05 09:00")
    await env.tick()
    assert sum("责任清单日报" in t for t in c.zhang.texts()) == 2


async def test_kpi_figures_on_time_rate_overdue_count_and_average_days_overdue(db, ctx, clock):
    async with db.session() as s:
        await roster_apply(s, ctx, roster_check(DEMO_ROSTER.encode(), "r.csv"))
    rows = ["T-1,按时完成,生产部,,1002,2026-12-01,", "T-2,逾期完成,生产部,,1002,2026-12-02,",
            "T-3,逾期未完,生产部,,1003,2026-12-02,", "T-4,尚未到期,生产部,,1002,2026-12-20,",
            "T-5,取消了,生产部,,1002,2026-12-01,", "T-6,财务按时,财务部,,1005,2026-12-01,",
            "T-7,上月任务,生产部,,1002,2026-11-20,"]
    data = ("task_no,title,lead_department,cooperating_departments,owner_employee_no,deadline,description\n"
            + "\n".join(rows)).encode()

    async def member(s, no):
        return (await s.execute(select(Member).where(Member.employee_no == no))).scalar_one()

    async def task_id(s, no):
        return (await s.execute(select(Task.id).where(Task.task_no == no))).scalar_one()

    at(clock, "2026-11-25 09:00")
    async with db.session() as s:
        await tasks.import_rows(s, ctx, tasks.read(data, "t.csv"))
    for no, owner, reported in (("T-1", "1002", "2026-11-30 10:00"), ("T-6", "1005", "2026-12-01 18:00"),
                                ("T-2", "1002", "2026-12-03 08:00")):
        at(clock, reported)
        async with db.session() as s:
            await tasks.report_done(s, ctx, await member(s, owner), await task_id(s, no), "ok")
            secretary = await member(s, "1001" if no != "T-6" else "1004")
            await tasks.confirm(s, ctx, secretary, await task_id(s, no))
    async with db.session() as s:
        (await s.get(Task, await task_id(s, "T-5"))).status = "cancelled"

    at(clock, "2026-12-03 09:00")
    async with db.session() as s:
        rates = await tasks.on_time_rates(s, ctx, date(2026, 12, 1), date(2027, 1, 1))
        assert [(r.unit, r.due, r.on_time) for r in rates] == [("生产部", 3, 1), ("财务部", 1, 1)]
        assert round(rates[0].rate, 3) == 0.333 and rates[1].rate == 1.0
        assert await tasks.overdue_now(s, ctx) == 2  # T-3 and last month's T-7
        # Whole local days after the deadline date, as the lists say: T-3 (12-02) 1 day, T-7 (11-20) 13 days.
        assert await tasks.average_days_overdue(s, ctx) == (1 + 13) / 2
        production = (await s.execute(select(Task.lead_unit_id).where(Task.task_no == "T-1"))).scalar_one()
        assert await tasks.overdue_now(s, ctx, {production + 1000}) == 0
        assert await tasks.average_days_overdue(s, ctx, {production + 1000}) is None


async def test_a_moved_deadline_withdraws_the_reminder_queued_for_the_old_one(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-06,")
    await env.tick()
    at(clock, "2026-12-05 09:00")
    await producers.run_all(env.db, env.ctx)  # "1 day left" is queued for the old deadline...
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")  # ...and then the deadline moves
    before = len(c.wang.messages)
    await env.tick()
    assert reminders(texts_since(c.wang, before)) == []
    assert any("任务时限已调整" in t and "2026-12-20" in t for t in texts_since(c.wang, before))
    at(clock, "2026-12-17 09:00")
    await env.tick()
    assert reminders(texts_since(c.wang, before)) == ["🔵 任务提醒：还有 3 天到期"]


async def test_escalation_comes_with_the_owners_reminder_that_names_the_same_number_of_days(env, clock):
    """A timed deadline and a date alone, both on 12-07: both reach the admins the morning they are 3 days late."""
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,按日期,生产部,,1002,2026-12-07,", "T-2,按时刻,生产部,,1003,2026-12-07 17:00,")
    for moment in ("2026-12-07 17:00", "2026-12-08 09:00", "2026-12-09 09:00"):
        at(clock, moment)
        await env.tick()
    assert not any("督办升级" in t for t in c.admin.texts())
    at(clock, "2026-12-10 09:00")
    await env.tick()
    escalations = [t for t in c.admin.texts() if "督办升级" in t]
    assert len(escalations) == 2 and all("逾期已 3 天" in t for t in escalations)
    assert "已逾期 3 天" in c.wang.last["text"] and "已逾期 3 天" in c.li.last["text"]
    at(clock, "2026-12-11 09:00")
    await env.tick()
    assert sum("督办升级" in t for t in c.admin.texts()) == 2


async def test_the_digest_counts_three_days_by_the_date_on_the_list(env, clock):
    """On Friday 12-04 a task due Monday 12-07 is within 3 days, with or without a time of day."""
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,只写日期,生产部,,1002,2026-12-07,", "T-2,写了时刻,生产部,,1002,2026-12-07 17:00,",
                       "T-3,下周再说,生产部,,1002,2026-12-08,")
    at(clock, "2026-12-04 08:30")
    await env.tick()
    digest = [t for t in c.zhang.texts() if "责任清单日报" in t][-1]
    assert "3 天内到期（2）" in digest and "只写日期" in digest and "写了时刻" in digest
    assert "下周再说" not in digest


async def test_a_new_owner_takes_over_the_reminders_and_the_old_one_hears_no_more(env, clock):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-06,")
    await env.tick()
    at(clock, "2026-12-05 09:00")
    await producers.run_all(env.db, env.ctx)  # "1 day left" is queued for 王芳...
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1003,2026-12-06,")  # ...when 李强 takes the task over
    before = len(c.wang.messages)
    await env.tick()
    assert reminders(texts_since(c.wang, before)) == []
    assert any("您是责任清单任务的具体责任人" in t and "安全培训" in t for t in c.li.texts())
    at(clock, "2026-12-06 09:00")
    await env.tick()
    assert reminders(c.li.texts()) == ["🟡 任务今天到期"]
    assert reminders(texts_since(c.wang, before)) == []


async def test_quiet_hours_and_the_escalation_threshold_are_the_organisations_settings(db, ctx, clock):
    from dataclasses import replace

    from sqlalchemy import func

    from storage.models.outbox import Outbox

    async with db.session() as s:
        await roster_apply(s, ctx, roster_check(DEMO_ROSTER.encode(), "r.csv"))
        await s.execute(Member.__table__.update().values(chat_id=Member.id + 50_000))
        await s.execute(Member.__table__.update().where(Member.employee_no == "1006").values(roles="admin"))
    data = ("task_no,title,lead_department,cooperating_departments,owner_employee_no,deadline,description\n"
            "T-1,安全培训,生产部,,1002,2026-12-07,\n").encode()
    async with db.session() as s:
        await tasks.import_rows(s, ctx, tasks.read(data, "t.csv"))
    strict = replace(ctx, quiet_start=20, quiet_end=9, overdue_escalate_days=1)

    async def kinds() -> dict[str, int]:
        async with db.session() as s:
            return dict((await s.execute(select(Outbox.kind, func.count()).group_by(Outbox.kind))).all())

    at(clock, "2026-12-08 08:30")  # overdue, but quiet until 09:00 for this organisation
    async with db.session() as s:
        assert await tasks.produce_reminders(s, strict) == 0
    at(clock, "2026-12-08 09:00")
    async with db.session() as s:
        assert await tasks.produce_reminders(s, strict) > 0
    assert (await kinds()).get("tasks.escalation") is None  # the first notice is not yet an escalation
    at(clock, "2026-12-09 09:00")  # 2 days late, the threshold is 1 day
    async with db.session() as s:
        await tasks.produce_reminders(s, strict)
    assert (await kinds())["tasks.escalation"] == 1
