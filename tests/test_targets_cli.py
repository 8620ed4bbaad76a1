"""`python -m bot targets set|import` as an operator runs it: a target without a value or a date, with a past
date, an unknown indicator or unit is refused with a one-line reason (exit 2) and nothing is written."""
from __future__ import annotations

import sqlite3

from tests.support.botenv import DEMO_ROSTER


def targets_in(tmp_path) -> list[tuple]:
    with sqlite3.connect(tmp_path / "tongxin.db") as conn:
        return conn.execute("select key, unit_id is null, value, due_on from kpi_targets order by key").fetchall()


def refused(out, reason: str) -> None:
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0, out.stderr
    assert reason in out.stderr, out.stderr


def test_targets_set_refuses_what_is_not_smart_and_writes_nothing(tmp_path, run):
    (tmp_path / "roster.csv").write_text(DEMO_ROSTER, encoding="utf-8")
    assert run(tmp_path, "roster", "import", str(tmp_path / "roster.csv")).returncode == 0

    base = ("targets", "set", "lessons.coverage", "--unit", "生产部")
    refused(run(tmp_path, *base, "--by", "2099-06-30"), "没有目标值")
    refused(run(tmp_path, *base, "--value", "90"), "没有完成日期")
    refused(run(tmp_path, *base, "--value", "90", "--by", "2020-06-30"), "完成日期 2020-06-30 不在今天之后")
    refused(run(tmp_path, *base, "--value", "120", "--by", "2099-06-30"), "不能作为指标“党员教育覆盖率”的目标值")
    refused(run(tmp_path, "targets", "set", "lessons.cover", "--unit", "all", "--value", "90", "--by", "2099-06-30"),
            "“lessons.cover”不是已登记的指标")
    refused(run(tmp_path, "targets", "set", "lessons.coverage", "--unit", "后勤部", "--value", "90",
                "--by", "2099-06-30"), "找不到单位“后勤部”")
    assert targets_in(tmp_path) == []

    out = run(tmp_path, *base, "--value", "90%", "--by", "2099-06-30")
    assert out.returncode == 0, out.stderr
    assert "target set: lessons.coverage (生产部) 90.0% by 2099-06-30" in out.stdout
    assert targets_in(tmp_path) == [("lessons.coverage", 0, 0.9, "2099-06-30")]


def test_targets_import_reads_chinese_headers_and_refuses_a_file_with_one_bad_row_whole(tmp_path, run):
    (tmp_path / "roster.csv").write_text(DEMO_ROSTER, encoding="utf-8")
    assert run(tmp_path, "roster", "import", str(tmp_path / "roster.csv")).returncode == 0
    sheet = tmp_path / "targets.csv"
    sheet.write_text("指标,单位,目标值,完成日期\n"
                     "lessons.coverage,全公司,90,2099-06-30\n"
                     "tasks.overdue,财务部,,2099-06-30\n", encoding="utf-8")
    refused(run(tmp_path, "targets", "import", str(sheet)), "第 3 行：指标“逾期任务数”的目标没有目标值")
    assert targets_in(tmp_path) == []

    sheet.write_text("指标,单位,目标值,完成日期\n"
                     "lessons.coverage,全公司,90,2099-06-30\n"
                     "tasks.overdue,财务部,0,2099/12/31\n", encoding="utf-8")
    out = run(tmp_path, "targets", "import", str(sheet))
    assert out.returncode == 0, out.stderr
    assert "targets: 2 set" in out.stdout
    assert targets_in(tmp_path) == [("lessons.coverage", 1, 0.9, "2099-06-30"), ("tasks.overdue", 0, 0.0,
                                                                                 "2099-12-31")]
