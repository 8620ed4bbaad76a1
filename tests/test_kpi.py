"""/kpi: a secretary reads the month's figures for their units; an admin for all; employees never."""
from __future__ import annotations

from datetime import date

from storage import members, tasks, units
from tests.support.botenv import DEMO_ROSTER


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
    assert "2026-12" in board and "本人负责" in board
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
