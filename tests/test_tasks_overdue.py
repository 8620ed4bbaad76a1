"""How late a task is, as people read it: whole local days after the deadline date, and hours on the due
day itself when the deadline has a time. It is Thursday 2026-12-03, 09:00 in Shanghai."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from storage import members, tasks, units
from storage.tasks import Task
from tests.support.tasks import cast, open_task

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


async def _task(env, title: str, deadline, owner_no: str = "1002"):
    async with env.db.session() as s:
        unit = await units.by_name(s, "department", "生产部")
        owner = await members.by_employee_no(s, owner_no)
        await tasks.create_task(s, env.ctx, title=title, lead_unit_id=unit.id, owner_id=owner.id,
                                deadline=deadline)


async def _item(person, title: str) -> str:
    return (await open_task(person, title))["text"]


async def test_two_minutes_past_a_timed_deadline_is_not_a_day_overdue(env, clock):
    c = await cast(env)
    await _task(env, "上报安全月报", local("2026-12-03 09:10"))
    await _task(env, "清理旧账", date(2026, 12, 2))  # passed at midnight: one whole day after its date

    clock.set(local("2026-12-03 09:12"))
    item = await _item(c.wang, "上报安全月报")
    assert "已逾期 不到 1 小时" in item and "天" not in item.split("完成时限")[1].split("\n")[0]
    assert "已逾期 1 天" in await _item(c.wang, "清理旧账")
    overdue = await c.zhang.say("/overdue")
    assert "上报安全月报 · 责任人 王芳 · 时限 2026-12-03 09:10 · 逾期 不到 1 小时" in overdue
    assert "清理旧账 · 责任人 王芳 · 时限 2026-12-02 · 逾期 1 天" in overdue

    clock.set(local("2026-12-03 12:15"))
    assert "已逾期 3 小时" in await _item(c.wang, "上报安全月报")

    clock.set(local("2026-12-04 00:05"))  # the next local day: a whole day after the deadline date
    assert "已逾期 1 天" in await _item(c.wang, "上报安全月报")
    assert "已逾期 2 天" in await _item(c.wang, "清理旧账")


def _timed(day: date, at: time | None, ctx) -> Task:
    return Task(due_date=day, due_time=at, deadline_at=tasks.deadline_moment(day, at, ctx))


def test_overdue_counts_whole_local_days_after_the_deadline_date_and_hours_on_the_due_day(ctx):
    timed = _timed(date(2026, 12, 3), time(9, 10), ctx)
    cases = [("2026-12-03 09:09", 0, None), ("2026-12-03 09:12", 0, 0), ("2026-12-03 11:09", 0, 1),
             ("2026-12-03 23:59", 0, 14), ("2026-12-04 00:00", 1, None), ("2026-12-06 08:00", 3, None)]
    for now, days, hours in cases:
        moment = local(now)
        assert (tasks.days_overdue(timed, moment, ctx), tasks.hours_overdue(timed, moment, ctx)) == (days, hours), now
    dated = _timed(date(2026, 12, 3), None, ctx)  # passes at the end of its day
    for now, days in (("2026-12-03 23:59", 0), ("2026-12-04 00:01", 1), ("2026-12-05 23:00", 2)):
        moment = local(now)
        assert (tasks.days_overdue(dated, moment, ctx), tasks.hours_overdue(dated, moment, ctx)) == (days, None), now
