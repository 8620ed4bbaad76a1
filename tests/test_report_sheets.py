"""The diagnostic report's sheets, page and pictures on the seeded organisation of tests/test_kpi_figures.py
(December 2026, read on 2027-01-04), against figures counted by hand: one sheet per indicator by unit, the
responsibility list in its status colours, the PDCA records without their writers, the reception outcomes,
the charts (withheld figures never drawn) and the same report as one HTML page."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from storage import kpi, lessons, members, report
from storage.lessons import parse
from tests.support.botenv import DEMO_ROSTER
from tests.test_kpi_figures import Org, seed

WITHHELD = "人数不足，不显示"


async def build(env, period="2026-12", lang="zh", scope=None):
    async with env.db.session() as s:
        r = await report.gather(s, env.ctx, period, lang, scope)
        _, data = await report.workbook(s, env.ctx, period, lang, scope)
        _, page = await report.html(s, env.ctx, period, lang, scope)
    return r, load_workbook(io.BytesIO(data)), page


def rows_of(ws, first=1):
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


async def test_each_indicator_has_its_sheet_by_unit_and_withheld_figures_say_so_everywhere(env, clock):
    await seed(env, clock)
    r, book, page = await build(env)
    names = [m.name("zh") for m in kpi.catalogue()]
    assert all(name[:31] in book.sheetnames for name in names)
    coverage = {row[1]: row for row in rows_of(book["党员教育覆盖率"], 3)}
    # By hand: 生产部 2 of 6 (L1 王芳, 张伟; L2 nobody of 生产部); 财务部 2 of 3 (L2 刘洋, 陈静; Emily not).
    assert coverage["生产部"][2] == pytest.approx(2 / 6) and coverage["财务部"][2] == pytest.approx(2 / 3)
    assert coverage["生产部"][3] is None and coverage["生产部"][4] == "—"  # nothing in November
    assert book["党员教育覆盖率"].cell(row=3, column=3).number_format == "0.0%"
    assert book["党员教育覆盖率"].freeze_panes == "C3"
    # The writers' satisfaction (two ratings, under the floor of three) is withheld in every sheet.
    writers = {row[1]: row[2] for row in rows_of(book["诉求人满意度"], 3)}
    assert writers and set(writers.values()) == {WITHHELD}
    summary = {row[0]: row for row in rows_of(book["汇总"], 3) if row[0]}
    assert summary["诉求人满意度"][3] == WITHHELD
    header, *units = rows_of(book["单位"])
    column = header.index("诉求人满意度")
    assert {u[column] for u in units} == {WITHHELD}
    # Every unit's answer figures: withheld in the sheet exactly where the board withholds them.
    satisfaction = kpi.MEASURES["surveys.satisfaction_avg"]
    per_unit = {row[1]: row[2] for row in rows_of(book[satisfaction.name("zh")], 3)}
    for row in r.unit_rows:
        assert (per_unit[row.unit.path] == WITHHELD) == satisfaction.withheld(row.board), row.unit.path


async def test_the_charts_draw_the_hand_counted_figures_and_never_a_withheld_one(env, clock):
    await seed(env, clock)
    r, book, page = await build(env)
    trend = {m.key: (series, lines) for m, series, lines in report.trend_points(r)}
    series, _ = trend["lessons.coverage"]
    assert [p for p, _ in series] == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    assert series[-1][1] == pytest.approx(40.0) and series[-2][1] is None  # 4 of 10 learned; November empty
    assert trend["surveys.satisfaction_avg"][0][-1][1] == pytest.approx(3.5)  # 5, 4, 3, 2 from four people
    assert all(v is None for _, v in trend["feedback.satisfaction_avg"][0])  # two ratings: never drawn
    bars = {m.key: dict(points) for m, points in report.unit_points(r)}
    assert bars["lessons.coverage"]["生产部"] == pytest.approx(100 * 2 / 6)
    assert bars["tasks.overdue"]["生产部"] == 1 and bars["tasks.overdue"]["财务部"] == 1  # D and C at the month's end
    assert all(v is None for v in bars["feedback.satisfaction_avg"].values())
    for m, points in report.unit_points(r):
        for row, (_, value) in zip(r.unit_rows, points):
            if m.withheld(row.board):
                assert value is None, (m.key, row.unit.path)
    assert report.trend_png(r).startswith(b"\x89PNG") and report.units_png(r).startswith(b"\x89PNG")
    assert len(book[r.label("charts")]._images) == 2  # both pictures embedded in the workbook
    assert page.count('src="data:image/png;base64,') == 2


async def test_the_responsibility_list_is_coloured_with_a_legend_and_the_lists_name_no_writer(env, clock):
    await seed(env, clock)
    _, book, page = await build(env)
    tasks = book["责任清单"]
    listed = {row[0].value: row for row in tasks.iter_rows(min_row=2) if row[0].value and row[4].value}
    by_title = {row[1].value: row for row in listed.values()}
    # By hand, the tasks due in December (F is due in January), as they stand when the month ended:
    expected = {"A 按时完成": ("按时完成", "A9D08E"), "E 已取消": ("已取消", "D9D9D9"),
                "B 逾期完成": ("逾期完成", "F8CBAD"), "C 月末仍逾期": ("逾期未完成", "FFC7CE"),  # done 01-02
                "D 月末逾期两天": ("逾期未完成", "FFC7CE")}
    for title, (status, fill) in expected.items():
        row = by_title[title]
        assert row[5].value == status and row[0].fill.start_color.rgb.endswith(fill), title
    reception_task = [row for title, row in by_title.items() if title not in expected]
    assert len(reception_task) == 1 and reception_task[0][5].value == "按时完成"  # G, done 12-22, due 12-24
    assert "F 下月到期" not in by_title
    legend = [row[0].value for row in tasks.iter_rows() if row[0].value]
    assert "图例" in legend and "逾期未完成" in legend[legend.index("图例"):]

    pdca = rows_of(book["诉求闭环"])
    assert pdca[0] == ["编号", "类别", "收到日期", "结果", "根本原因", "改进措施", "办结日期", "关闭原因", "任务编号"]
    disputes = [row for row in pdca[1:] if row[1] == "矛盾纠纷"]
    assert len(pdca) - 1 == 4 and len(disputes) == 2
    assert all(row[3] == "已解决" and row[4] == "沟通少" and row[5] == "每周例会" for row in disputes)
    every_cell = " ".join(str(c) for row in pdca for c in row if c is not None)
    for writer_or_text in ("王芳", "李强", "陈静", "排班纠纷", "调岗纠纷", "设备老旧", "照明不足"):
        assert writer_or_text not in every_cell
        assert writer_or_text not in page.split('id="pdca"')[1].split("</table>")[0]

    outcomes = {row[2]: row for row in rows_of(book["接待成效"], 2)}
    assert {name: row[5] for name, row in outcomes.items()} == {"王芳": "当场解决", "李强": "转为任务",
                                                                 "陈静": "未到场"}
    assert outcomes["王芳"][6] == "当场答复" and outcomes["李强"][7]  # the task number of G


async def test_the_html_page_says_what_the_workbook_says_in_either_language(env, clock):
    await seed(env, clock)
    r, book, page = await build(env)
    assert page.startswith("<!DOCTYPE html>") and "运行诊断报告 2026-12" in page
    summary = page.split('id="summary"')[1].split("</table>")[0]
    assert "<td>党员教育覆盖率</td><td>全公司</td><td>百分比</td><td>40.0%</td>" in summary  # 4 of 10
    assert "<td>诉求人满意度</td><td>全公司</td><td>分值</td><td>人数不足，不显示</td>" in summary
    assert "<td>责任清单按时完成率</td><td>全公司</td><td>百分比</td><td>40.0%</td>" in summary  # A, G of five
    for text in r.finding_texts():
        assert f"<li>{text}</li>" in page
    assert 'style="background:#FFC7CE"' in page  # D, overdue at the month's end
    _, english, page_en = await build(env, lang="en")
    assert "Diagnostic report" not in page and "<td>lesson coverage</td>" in page_en


async def test_an_empty_period_gives_a_report_with_a_note_in_every_form(env, clock):
    await seed(env, clock)
    r, book, page = await build(env, "2026-06")
    note = "本期（2026-06）没有可统计的活动"
    assert any(str(row[0]).startswith(note) for row in rows_of(book["汇总"]) if row[0])
    assert rows_of(book["责任清单"])[1][0] == "本期无记录" and rows_of(book["诉求闭环"])[1][0] == "本期无记录"
    assert note in page and page.count('src="data:image/png;base64,') == 2


async def test_a_secretarys_report_covers_their_units_only(env, clock):
    await seed(env, clock)
    async with env.db.session() as s:
        scope = await members.staff_unit_ids(s, await members.by_employee_no(s, "1001"))  # 张伟: 生产部, 第一支部
    r, book, page = await build(env, scope=scope)
    assert sorted(row[1] for row in rows_of(book["单位"], 2)) == ["生产部", "第一支部"]
    titles = {row[1] for row in rows_of(book["责任清单"], 2) if row[4]}
    assert {"A 按时完成", "B 逾期完成", "D 月末逾期两天"} <= titles and not titles & {"C 月末仍逾期", "E 已取消"}
    assert {row[2] for row in rows_of(book["接待成效"], 2)} == {"王芳", "李强"}
    summary = {row[0]: row for row in rows_of(book["汇总"], 3) if row[0]}
    assert summary["党员教育覆盖率"][1] == "所辖单位合计" and summary["党员教育覆盖率"][3] == pytest.approx(2 / 6)


async def test_the_targets_sheet_measures_each_units_target_at_the_months_end(env, clock):
    from datetime import date

    from storage import units
    from storage.targets import Target

    await seed(env, clock)
    async with env.db.session() as s:
        production = await units.by_name(s, "department", "生产部")
        s.add(Target(key="lessons.coverage", unit_id=production.id, value=0.9, due_on=date(2027, 3, 31),
                     baseline=0.5, set_on=date(2026, 12, 1), set_at=env.ctx.now()))
        zhang_scope = await members.staff_unit_ids(s, await members.by_employee_no(s, "1001"))
    for scope in (None, zhang_scope):
        _, book, page = await build(env, scope=scope)
        rows = rows_of(book["目标对照"], 2)
        # 生产部 2 of 6 = 33.3% against 0.5 + 0.4 × 30/120 = 60% on 12-31: 26.7 points behind.
        assert len(rows) == 1 and rows[0][:2] == ["党员教育覆盖率", "生产部"]
        assert rows[0][2] == pytest.approx(2 / 6) and rows[0][5] == pytest.approx(0.6)
        assert rows[0][6] == pytest.approx(0.6 - 2 / 6)
        assert "<td>党员教育覆盖率</td><td>生产部</td><td>33.3%</td><td>90.0%</td><td>2027-03-31</td><td>60.0%</td>" \
               "<td>26.7 个百分点</td>" in page
        # The summary says the same: under the indicator's row, 生产部's own row with its own target.
        summary = [row for row in rows_of(book["汇总"], 3) if row[0] == "党员教育覆盖率"]
        head = "全公司" if scope is None else "所辖单位合计"
        assert [row[1] for row in summary] == [head, "生产部"]
        assert summary[0][3] == pytest.approx(0.4 if scope is None else 2 / 6) and summary[0][4] is None
        unit = summary[1]
        assert unit[2:5] == ["百分比", pytest.approx(2 / 6), 0.9] and unit[5].date() == date(2027, 3, 31)
        assert unit[6] == pytest.approx(0.6) and unit[7] == pytest.approx(0.6 - 2 / 6)
        assert unit[8] is None and unit[9] == "—"  # nothing in November
        assert '<tr class="unit-target"><td>党员教育覆盖率</td><td>生产部</td><td>百分比</td><td>33.3%</td>' \
               '<td>90.0%</td><td>2027-03-31</td><td>60.0%</td><td>26.7 个百分点</td><td>—</td><td>—</td></tr>' in page
        assert f"<td>党员教育覆盖率</td><td>{head}</td><td>百分比</td><td>{'40.0%' if scope is None else '33.3%'}" \
               "</td><td>—</td>" in page


async def test_a_task_due_on_the_last_day_of_last_month_and_still_open_is_on_this_months_list(env, clock):
    org = Org(env, clock)
    org.at("2026-11-20 09:00")
    await env.import_roster(DEMO_ROSTER)
    await org.task("月末到期仍未完成", "生产部", "1002", date(2026, 11, 30))  # its deadline: 12-01 00:00
    await org.task("上月中旬到期仍未完成", "生产部", "1003", date(2026, 11, 15))
    org.at("2026-12-02 10:00")
    _, book, page = await build(env)
    listed = {row[1]: row[5] for row in rows_of(book["责任清单"], 2) if row[1] and row[4]}
    assert listed == {"上月中旬到期仍未完成": "逾期未完成", "月末到期仍未完成": "逾期未完成"}
    assert "月末到期仍未完成" in page.split('id="tasks"')[1].split("</table>")[0]


def test_the_charts_value_axis_starts_at_zero_and_percentages_run_to_a_hundred():
    coverage, overdue, score = (kpi.measure(k) for k in ("lessons.coverage", "tasks.overdue", "lessons.avg_score"))
    assert report.y_range(coverage, [None, 40.0]) == (0.0, 100.0)
    low, high = report.y_range(overdue, [0.0, 0.0, None])  # nothing overdue: not an axis from -0.04 to 0.04
    assert low == 0.0 and high >= 1.0
    low, high = report.y_range(score, [None, 86.0, 90.0])  # the target line (90) is inside the picture
    assert low == 0.0 and high > 90.0


async def test_a_month_whose_only_figure_is_zero_coverage_is_not_called_empty(env, clock):
    """A lesson sent to everyone and learned by nobody is activity (0%, a finding), not "nothing to report"."""
    await env.import_roster(DEMO_ROSTER)
    async with env.db.session() as s:
        await lessons.create(s, env.ctx, parse("# 廉洁自律\n\n守纪律，讲规矩。"), audience="all", min_read=0)
    await env.tick()  # published
    async with env.db.session() as s:
        r = await report.gather(s, env.ctx, "2026-12", "zh")
    assert kpi.measure("lessons.coverage").value(r.board) == 0.0
    assert not r.empty
    assert not any("没有可统计的活动" in t for t in r.finding_texts())
