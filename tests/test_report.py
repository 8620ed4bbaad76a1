"""The monthly diagnostic report as a secretary opens it: Chinese headers and indicator names, numbers
formatted as what they are, frozen headers, the findings in words ranked by the gap, and a clear note for an
empty period. The seeded organisation of tests/test_kpi_figures.py (December 2026, read on 2027-01-04)."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from storage import report, units
from storage.targets import Target
from tests.test_kpi_figures import seed


async def build(env, period: str, lang: str = "zh"):
    async with env.db.session() as s:
        _, data = await report.workbook(s, env.ctx, period, lang)
    return load_workbook(io.BytesIO(data))


async def test_the_summary_reads_in_chinese_with_formatted_numbers_targets_and_findings_ranked(env, clock):
    await seed(env, clock)
    async with env.db.session() as s:
        production = await units.by_name(s, "department", "生产部")
        s.add(Target(key="lessons.coverage", unit_id=production.id, value=0.9, due_on=date(2027, 3, 31),
                     baseline=0.5, set_on=date(2026, 12, 1), set_at=env.ctx.now()))
        s.add(Target(key="tasks.on_time_rate", unit_id=None, value=0.6, due_on=date(2027, 3, 31), baseline=0.3,
                     set_on=date(2026, 12, 1), set_at=env.ctx.now()))
    book = await build(env, "2026-12")
    assert book.sheetnames[:2] == ["汇总", "单位"] and book.sheetnames[-2:] == ["指标说明", "原始数据"]
    ws = book["汇总"]
    assert ws.freeze_panes == "C3" and book["单位"].freeze_panes == "C2"
    assert ws.column_dimensions["A"].width == 30
    assert [c.value for c in ws[2]] == ["指标", "范围", "计量", "本期实际", "目标值", "目标日期", "本期应达",
                                        "差距（落后为正）", "上期", "趋势"]
    rows = {r[0].value: r[1:] for r in ws.iter_rows(min_row=3) if r[0].value and r[1].value == "全公司"}
    coverage = rows["党员教育覆盖率"]
    assert coverage[2].value == 4 / 10 and coverage[2].number_format == "0.0%" and coverage[1].value == "百分比"
    assert rows["逾期任务数"][2].value == 2 and rows["逾期任务数"][2].number_format == "0"
    assert rows["平均逾期天数"][2].value == 7.0 and rows["平均逾期天数"][2].number_format == "0.0"
    assert rows["诉求人满意度"][2].value == "人数不足，不显示"  # two ratings, under the floor of three
    # 生产部's own target, in its own row under the organisation's: its figure 2/6 beside its trajectory 60%.
    unit_rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3) if r[1].value == "生产部"]
    assert len(unit_rows) == 1 and unit_rows[0][:5] == ["党员教育覆盖率", "生产部", "百分比", 2 / 6, 0.9]
    assert abs(unit_rows[0][6] - 0.6) < 1e-9 and abs(unit_rows[0][7] - (0.6 - 2 / 6)) < 1e-9
    # The organisation's on-time target: 0.3 + 0.3 × 30/120 = 37.5% due by 12-31; actual 2/5 = 40%: on track.
    on_time = rows["责任清单按时完成率"]
    assert on_time[2].value == 2 / 5 and on_time[3].value == 0.6 and abs(on_time[5].value - 0.375) < 1e-9
    assert on_time[6].value < 0 and on_time[7].value is None and on_time[8].value == "—"  # nothing in November
    findings = [r[0].value for r in ws.iter_rows(min_row=ws.max_row - 10) if r[0].value]
    start = findings.index("主要发现")
    said = findings[start + 1:]
    # 生产部's coverage 2/6 = 33.3% against 0.5 + 0.4 × 30/120 = 60.0%: 26.7 points behind, the largest gap.
    assert said[0] == "生产部：党员教育覆盖率为 33.3%，低于本期应达（60.0%）26.7 个百分点；目标为 2027-03-31 前达到 90.0%。"
    # D overdue 2 days (due 12-30) and C 12 days (due 12-20) when the month ended.
    assert "生产部：期末有 1 项任务逾期未完成，平均逾期 2.0 天。" in said
    assert "财务部：期末有 1 项任务逾期未完成，平均逾期 12.0 天。" in said
    assert not any("tasks." in str(c) for r in ws.iter_rows(values_only=True) for c in r)

    english = await build(env, "2026-12", "en")
    assert english.sheetnames[:2] == ["Summary", "Units"] and english.sheetnames[-2:] == ["Definitions", "Figures"]
    assert [c.value for c in english["Summary"][2]][:3] == ["Indicator", "Scope", "Unit of measure"]
    assert "lesson coverage" in [r[0] for r in english["Summary"].iter_rows(values_only=True)]


async def test_an_empty_period_gives_a_report_with_a_clear_note(env, clock):
    await seed(env, clock)
    book = await build(env, "2026-06")
    texts = [r[0] for r in book["汇总"].iter_rows(values_only=True) if r[0]]
    assert any(t.startswith("本期（2026-06）没有可统计的活动") for t in texts)


async def test_the_kpi_board_shows_target_actual_gap_and_the_previous_month_for_the_readers_units(env, clock):
    await seed(env, clock)
    async with env.db.session() as s:
        production = await units.by_name(s, "department", "生产部")
        s.add(Target(key="lessons.coverage", unit_id=production.id, value=0.9, due_on=date(2027, 3, 31),
                     baseline=0.5, set_on=date(2026, 12, 1), set_at=env.ctx.now()))
    zhang, liu = env.person(701, "张伟"), env.person(704, "刘洋")
    # 生产部 by hand: 2 of 6 learned in December; on 12-31 it should be at 0.5 + 0.4 × 30/120 = 60%.
    line = "⚠️ 党员教育覆盖率（生产部）：实际 33.3%，目标 90.0%（2027-03-31），应达 60.0%，差 26.7 个百分点；上期 —"
    assert line in await zhang.say("/kpi 2026-12")
    assert line in await env.admin().say("/kpi 2026-12")
    assert "目标对照" not in await liu.say("/kpi 2026-12")
