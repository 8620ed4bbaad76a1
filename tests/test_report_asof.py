"""The October 2026 report built on 2026-12-07: the responsibility list coloured as each task stood on
31 October (replayed from its notes, not from its status in December), the summary and the findings in
words against figures counted by hand, cell by cell in the workbook and in the HTML page.

Tasks (created 2026-09-01; 生产部 owner 王芳 1002, 财务部 owner 陈静 1005):
  T9  生产部 due 09-10, done 09-09              -> finished before October: not listed
  T10 生产部 due 09-15, done 10-05              -> done late (in October)
  T8  生产部 due 09-20, done 11-10              -> overdue on 10-31 (done since)
  T1  生产部 due 10-10, done 10-09              -> done on time
  T2  生产部 due 10-15, done 10-20              -> done late
  T3  生产部 due 10-20, done 11-05              -> overdue on 10-31 (done since)
  T4  财务部 due 10-25, reported 10-24, returned 11-02, done 11-10 -> reported, waiting (done late today)
  T5  财务部 due 10-28, cancelled 11-03         -> overdue on 10-31 (cancelled today)
  T12 财务部 due 10-29, cancelled 10-12         -> cancelled
  T11 生产部 due 11-05                          -> due in November: not listed
"""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from storage import members, report, tasks, units
from storage.models.org import Member
from storage.targets import Target
from storage.tasks import Task
from tests.test_kpi_figures import Org, local

RED, LATE, ON_TIME, WAITING, CANCELLED = "FFC7CE", "F8CBAD", "A9D08E", "FFF2CC", "D9D9D9"


async def seed(env, clock) -> dict[str, int]:
    org = Org(env, clock)
    org.at("2026-09-01 09:00")
    await env.import_roster("""employee_no,name,department,branch,party_member,roles
1001,张伟,生产部,第一支部,是,secretary
1002,王芳,生产部,第一支部,是,employee
1004,刘洋,财务部,第二支部,是,secretary
1005,陈静,财务部,第二支部,否,employee
""")
    for i, (no, name) in enumerate((("1001", "张伟"), ("1002", "王芳"), ("1004", "刘洋"), ("1005", "陈静"))):
        await env.join(801 + i, name, no)
    plan = {"T9": ("生产部", "1002", "09-10"), "T10": ("生产部", "1002", "09-15"), "T8": ("生产部", "1002", "09-20"),
            "T1": ("生产部", "1002", "10-10"), "T2": ("生产部", "1002", "10-15"), "T3": ("生产部", "1002", "10-20"),
            "T4": ("财务部", "1005", "10-25"), "T5": ("财务部", "1005", "10-28"), "T12": ("财务部", "1005", "10-29"),
            "T11": ("生产部", "1002", "11-05")}
    ids = {name: await org.task(name, lead, owner, date.fromisoformat(f"2026-{day}"))
           for name, (lead, owner, day) in plan.items()}

    async def do(when, name, action, by="1004", text=""):
        org.at(when)
        async with env.db.session() as s:
            task = await s.get(Task, ids[name])
            if action == "report":
                await tasks.report_done(s, env.ctx, await s.get(Member, task.owner_id), task.id, "已完成")
            elif action == "return":
                await tasks.return_task(s, env.ctx, await org.member(s, by), task.id, "材料不全")
            else:
                await tasks.cancel_task(s, env.ctx, await org.member(s, by), task.task_no, "不再需要")

    await org.done(ids["T9"], "2026-09-09 10:00")
    await org.done(ids["T10"], "2026-10-05 10:00")
    await org.done(ids["T1"], "2026-10-09 10:00")
    await do("2026-10-12 10:00", "T12", "cancel")
    await org.done(ids["T2"], "2026-10-20 10:00")
    await do("2026-10-24 10:00", "T4", "report")
    await do("2026-11-02 10:00", "T4", "return")
    await do("2026-11-03 10:00", "T5", "cancel")
    await org.done(ids["T3"], "2026-11-05 10:00")
    await org.done(ids["T8"], "2026-11-10 10:00")
    await org.done(ids["T4"], "2026-11-10 11:00", confirm_by="1004")
    async with env.db.session() as s:
        production = await units.by_name(s, "department", "生产部")
        # 生产部's on-time target: from 50% on 10-01 to 90% by 12-30; on 10-31 it should be at
        # 0.5 + 0.4 × 30/90 = 63.3%.
        s.add(Target(key="tasks.on_time_rate", unit_id=production.id, value=0.9, due_on=date(2026, 12, 30),
                     baseline=0.5, set_on=date(2026, 10, 1), set_at=env.ctx.now()))
    org.at("2026-12-07 10:00")  # the report is built in December
    return ids


async def build(env, scope=None, lang="zh"):
    async with env.db.session() as s:
        r = await report.gather(s, env.ctx, "2026-10", lang, scope)
        _, data = await report.workbook(s, env.ctx, "2026-10", lang, scope)
        _, page = await report.html(s, env.ctx, "2026-10", lang, scope)
    return r, load_workbook(io.BytesIO(data)), page


# As each task stood on 31 October (the period's end), in the list's order (by deadline).
LISTED = [("T10", "生产部", "2026-09-15", "逾期完成", LATE), ("T8", "生产部", "2026-09-20", "逾期未完成", RED),
          ("T1", "生产部", "2026-10-10", "按时完成", ON_TIME), ("T2", "生产部", "2026-10-15", "逾期完成", LATE),
          ("T3", "生产部", "2026-10-20", "逾期未完成", RED), ("T4", "财务部", "2026-10-25", "已报完成，待确认", WAITING),
          ("T5", "财务部", "2026-10-28", "逾期未完成", RED), ("T12", "财务部", "2026-10-29", "已取消", CANCELLED)]


async def test_the_october_list_built_in_december_colours_tasks_as_they_stood_on_october_31(env, clock):
    await seed(env, clock)
    _, book, page = await build(env)
    ws = book["责任清单"]
    rows = [row for row in ws.iter_rows(min_row=2) if row[4].value]
    assert [(r[1].value, r[2].value, r[3].value, r[4].value.date().isoformat(), r[5].value) for r in rows] == [
        (title, unit, "王芳" if unit == "生产部" else "陈静", due, status) for title, unit, due, status, _ in LISTED]
    for row, (title, *_, fill) in zip(rows, LISTED):
        assert all(cell.fill.start_color.rgb.endswith(fill) for cell in row[:6]), title
    # The page: the same rows, in the same colours.
    table = page.split('id="tasks"')[1].split("</table>")[0]
    for title, unit, due, status, fill in LISTED:
        assert (f'<tr style="background:#{fill}"><td>' in table and f"<td>{title}</td><td>{unit}</td>" in table
                and f"<td>{due}</td><td>{status}</td></tr>" in table), title
    assert "T9" not in [r[1].value for r in rows] and "<td>T9</td>" not in table and "<td>T11</td>" not in table


async def test_a_task_created_after_the_period_is_not_listed(env, clock):
    ids = await seed(env, clock)
    async with env.db.session() as s:  # e.g. a list imported in November with a task due in October
        await s.execute(update(Task).where(Task.id == ids["T2"]).values(created_at=local("2026-11-05 09:00")))
    _, book, page = await build(env)
    titles = [row[1] for row in book["责任清单"].iter_rows(min_row=2, values_only=True) if row[4]]
    assert "T2" not in titles and "T1" in titles and "<td>T2</td>" not in page


async def test_the_october_summary_and_findings_match_the_hand_count(env, clock):
    await seed(env, clock)
    _, book, page = await build(env)
    ws = book["汇总"]
    rows = {(r[0], r[1]): r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] and r[1]}
    # Due in October, cancelled ones aside: T1 (on time), T2, T3, T4 (reported 11-10 after its return): 1 of 4.
    # September: T9 (on time), T10, T8: 1 of 3.
    on_time = rows[("责任清单按时完成率", "全公司")]
    assert on_time[2:4] == ("百分比", pytest.approx(1 / 4)) and on_time[4:8] == (None, None, None, None)
    assert on_time[8] == pytest.approx(1 / 3) and on_time[9] == "下降"
    # Overdue on 10-31 (at 11-01 00:00): T8 (42 days after 09-20), T3 (12 after 10-20), T5 (4 after 10-28).
    # On 09-30: T8 (11 days) and T10 (16 days).
    assert rows[("逾期任务数", "全公司")][3] == 3 and rows[("逾期任务数", "全公司")][8] == 2
    days = rows[("平均逾期天数", "全公司")]
    assert days[3] == pytest.approx(19.3) and days[8] == pytest.approx(13.5) and days[9] == "上升"  # 58/3, 27/2
    # 生产部's own target under the organisation's row: T1, T2, T3 due: 1 of 3, against 63.3%: 30 points behind.
    unit = rows[("责任清单按时完成率", "生产部")]
    assert unit[3] == pytest.approx(1 / 3) and unit[4] == 0.9 and unit[5].date() == date(2026, 12, 30)
    assert unit[6] == pytest.approx(0.5 + 0.4 * 30 / 90) and unit[7] == pytest.approx(0.3)
    assert unit[8] == pytest.approx(1 / 3) and unit[9] == "持平"  # September: T9, T10, T8: 1 of 3
    assert '<tr class="unit-target"><td>责任清单按时完成率</td><td>生产部</td><td>百分比</td><td>33.3%</td>' \
           '<td>90.0%</td><td>2026-12-30</td><td>63.3%</td><td>30.0 个百分点</td><td>33.3%</td><td>持平</td></tr>' in page
    assert "<td>逾期任务数</td><td>全公司</td><td>件数</td><td>3</td><td>—</td><td>—</td><td>—</td><td>—</td>" \
           "<td>2</td><td>上升</td>" in page

    texts = [r[0] for r in ws.iter_rows(values_only=True) if r[0]]
    said = texts[texts.index("主要发现") + 1:]
    # Ranked by size: 生产部's days 13.5 → 27.0 (+100% of 13.5), the organisation's 13.5 → 19.3 (+43%),
    # 生产部 30 points behind, overdue tasks 3 × 5 and 2 × 5, on-time down 8.3 points, 财务部's one overdue.
    assert said == [
        "生产部：平均逾期天数由2026年9月的 13.5 天升至 27.0 天，上升 13.5 天。",
        "全公司：平均逾期天数由2026年9月的 13.5 天升至 19.3 天，上升 5.8 天。",
        "生产部：责任清单按时完成率为 33.3%，低于本期应达（63.3%）30.0 个百分点；目标为 2026-12-30 前达到 90.0%。",
        "全公司：期末有 3 项任务逾期未完成，平均逾期 19.3 天。",
        "生产部：期末有 2 项任务逾期未完成，平均逾期 27.0 天。",
        "全公司：责任清单按时完成率由2026年9月的 33.3% 降至 25.0%，下降 8.3 个百分点。",
        "财务部：期末有 1 项任务逾期未完成，平均逾期 4.0 天。",
    ]
    assert all(f"<li>{text}</li>" in page for text in said)
    r, _, page_en = await build(env, lang="en")
    assert r.finding_texts()[-1] == "财务部: 1 task overdue at the period's end, 4.0 days on average."


async def test_a_secretarys_october_report_puts_their_units_target_in_the_summary(env, clock):
    await seed(env, clock)
    async with env.db.session() as s:
        scope = await members.staff_unit_ids(s, await members.by_employee_no(s, "1001"))  # 生产部, 第一支部
    r, book, page = await build(env, scope)
    rows = [r for r in book["汇总"].iter_rows(min_row=3, values_only=True) if r[0] == "责任清单按时完成率"]
    assert [row[1] for row in rows] == ["所辖单位合计", "生产部"]
    assert rows[0][3] == pytest.approx(1 / 3) and rows[0][4] is None  # no target of the two units together
    assert rows[1][3:5] == (pytest.approx(1 / 3), 0.9) and rows[1][7] == pytest.approx(0.3)
    titles = [row[1] for row in book["责任清单"].iter_rows(min_row=2, values_only=True) if row[4]]
    assert titles == ["T10", "T8", "T1", "T2", "T3"]
    assert "<td>责任清单按时完成率</td><td>生产部</td><td>百分比</td><td>33.3%</td><td>90.0%</td>" in page

    # A report for one unit carries that unit's target on its own row.
    async with env.db.session() as s:
        one = {(await units.by_name(s, "department", "生产部")).id}
    _, book, page = await build(env, one)
    rows = [r for r in book["汇总"].iter_rows(min_row=3, values_only=True) if r[0] == "责任清单按时完成率"]
    assert len(rows) == 1 and rows[0][1] == "生产部" and rows[0][4] == 0.9 and rows[0][7] == pytest.approx(0.3)
    assert "class=\"unit-target\"" not in page


def test_a_task_without_history_notes_falls_back_to_its_own_fields(env):
    from types import SimpleNamespace

    from storage.report import task_history

    deadline, end = local("2026-10-21 00:00"), local("2026-11-01 00:00")
    task = SimpleNamespace(status=tasks.DONE, deadline_at=deadline, due_date=date(2026, 10, 20),
                           reported_at=local("2026-11-05 10:00"), confirmed_at=local("2026-11-05 11:00"),
                           updated_at=local("2026-11-05 11:00"))
    assert task_history.state_at(task, [], end, env.ctx) == "red"  # done after the period: overdue then
    task.reported_at = task.confirmed_at = local("2026-10-19 10:00")
    assert task_history.state_at(task, [], end, env.ctx) == "done_on_time"
    task.confirmed_at = local("2026-11-02 10:00")  # confirmed after the period: reported, waiting, then
    assert task_history.state_at(task, [], end, env.ctx) == "reported"
    task.status, task.reported_at, task.updated_at = tasks.CANCELLED, None, local("2026-10-30 10:00")
    assert task_history.state_at(task, [], end, env.ctx) == "cancelled"
    # With notes, they decide: reported on 10-19, returned on 10-25, still open at the end.
    notes = [("done", local("2026-10-19 10:00")), ("return", local("2026-10-25 10:00"))]
    assert task_history.state_at(task, notes, end, env.ctx) == "red"
