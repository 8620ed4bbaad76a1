"""/kpi: a secretary reads the month's figures for their units; an admin for all; employees never."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage import members, tasks, units
from storage.models.org import Member
from storage.tasks import Task
from storage.roster import apply as roster_apply, check as roster_check
from tests.support.botenv import DEMO_ROSTER


def _local(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Asia/Shanghai"))


async def _task(env, title, lead, owner_no, deadline):
    async with env.db.session() as s:
        unit = await units.by_name(s, "department", lead)
        owner = await members.by_employee_no(s, owner_no)
        await tasks.create_task(s, env.ctx, title=title, lead_unit_id=unit.id, owner_id=owner.id, deadline=deadline)


async def test_secretary_sees_their_units_figures_and_admin_sees_all(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(401, "张伟", "1001")  # secretary of 生产部
    await _task(env, "安全检查", "生产部", "1002", date(2026, 12, 1))  # overdue now (today is 12-03)
    await _task(env, "月度报表", "财务部", "1005", date(2026, 12, 2))
    await _task(env, "年终总结", "生产部", "1003", date(2026, 12, 20))

    board = await zhang.say("/kpi")
    assert "2026-12" in board and "（您负责的部门和支部）" in board
    assert "到期任务 1" in board and "当前逾期 1" in board  # only 生产部's tasks
    board = await env.admin().say("/kpi 2026-12")
    assert "全单位" in board and "到期任务 2" in board and "当前逾期 2" in board
    assert "到期任务 0" in await env.admin().say("/kpi 2026-11")


async def test_bad_period_and_employees_are_refused(env):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(401, "张伟", "1001")
    assert "不是月份" in await zhang.say("/kpi 十二月")
    wang = await env.join(402, "王芳", "1002")
    assert "仅限" in await wang.say("/kpi")


async def _report_and_confirm(env, clock, title, when):
    clock.set(when)
    async with env.db.session() as s:
        task = (await s.execute(select(Task).where(Task.title == title))).scalar_one()
        await tasks.report_done(s, env.ctx, await s.get(Member, task.owner_id), task.id, "已完成")
        await tasks.confirm(s, env.ctx, await members.by_employee_no(s, "1001"), task.id)


async def test_a_past_month_shows_the_tasks_overdue_at_its_end_labelled_as_such(env, clock):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(401, "张伟", "1001")  # secretary of 生产部
    today = clock.now()
    clock.set(_local("2026-10-20 09:00"))
    await _task(env, "十月检查", "生产部", "1002", date(2026, 10, 28))  # late, done only in November
    await _task(env, "十月台账", "生产部", "1003", date(2026, 10, 30))  # done on time
    await _task(env, "十一月报表", "生产部", "1002", date(2026, 11, 20))  # still open: overdue now
    await _report_and_confirm(env, clock, "十月台账", _local("2026-10-29 15:00"))
    await _report_and_confirm(env, clock, "十月检查", _local("2026-11-05 10:00"))
    clock.set(today)  # 2026-12-03 09:00

    october = await zhang.say("/kpi 2026-10")
    # 十月检查 was overdue when October ended (10-28 → 11-01: 4 whole days), whatever happened after.
    assert "月末（截至 2026-10-31）逾期 1，平均逾期 4.0 天" in october and "当前逾期" not in october
    assert "到期任务 2，按时完成 1" in october
    november = await zhang.say("/kpi 2026-11")
    assert "月末（截至 2026-11-30）逾期 1，平均逾期 11.0 天" in november  # 十一月报表: 11-20 → 12-01
    now = await zhang.say("/kpi")
    assert "当前逾期 1，平均逾期 13.0 天" in now and "月末" not in now
    english = await env.admin().say("/kpi 2026-10")
    assert "月末（截至 2026-10-31）逾期 1" in english  # the admin writes in Chinese too


async def test_overdue_at_a_past_moment_is_rebuilt_from_the_task_notes(db, ctx, clock):
    async with db.session() as s:
        await roster_apply(s, ctx, roster_check(DEMO_ROSTER.encode(), "r.csv"))
    clock.set(_local("2026-10-01 09:00"))
    async with db.session() as s:
        unit = await units.by_name(s, "department", "生产部")
        wang = await members.by_employee_no(s, "1002")
        zhang = await members.by_employee_no(s, "1001")
        ids = {}
        for title, day in (("returned", date(2026, 10, 10)), ("reported", date(2026, 10, 10)),
                           ("cancelled", date(2026, 10, 10)), ("late", date(2026, 10, 10)),
                           ("not yet due", date(2026, 11, 2))):
            ids[title] = (await tasks.create_task(s, ctx, title=title, lead_unit_id=unit.id, owner_id=wang.id,
                                                  deadline=day)).id
    clock.set(_local("2026-10-09 10:00"))
    async with db.session() as s:
        for title in ("returned", "reported"):
            await tasks.report_done(s, ctx, await s.get(Member, wang.id), ids[title], "好了")
    clock.set(_local("2026-10-20 10:00"))
    async with db.session() as s:
        await tasks.return_task(s, ctx, await s.get(Member, zhang.id), ids["returned"], "还差签字")
        await tasks.cancel_task(s, ctx, await s.get(Member, zhang.id),
                                (await s.get(Task, ids["cancelled"])).task_no, "不再需要")
    clock.set(_local("2026-11-10 10:00"))
    async with db.session() as s:
        await tasks.report_done(s, ctx, await s.get(Member, wang.id), ids["late"], "终于好了")
        await tasks.report_done(s, ctx, await s.get(Member, wang.id), ids["returned"], "签好了")

    async with db.session() as s:
        def titles(found):
            return sorted(t.title for t in found)
        assert titles(await tasks.overdue_tasks(s, ctx, at=_local("2026-10-15 00:00"))) == ["cancelled", "late"]
        # At the end of October: "returned" was back on the desk, "cancelled" was off it.
        assert titles(await tasks.overdue_tasks(s, ctx, at=_local("2026-11-01 00:00"))) == ["late", "returned"]
        assert await tasks.average_days_overdue(s, ctx, at=_local("2026-11-01 00:00")) == 22.0
        assert titles(await tasks.overdue_tasks(s, ctx)) == ["not yet due"]  # now, 11-10: due 11-02
        assert titles(await tasks.overdue_tasks(s, ctx, at=_local("2027-01-01 00:00"))) == ["not yet due"]
