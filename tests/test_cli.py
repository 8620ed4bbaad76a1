"""The command line as an operator uses it: exit codes, one-line reasons, nothing changed on refusal."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]


def run(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "WEBHOOK_"))}
    env.update(TONGXIN_DATA_DIR=str(tmp_path / "data"), TONGXIN_BOT_USERNAME="tongxin_test_bot", LANG="C.UTF-8")
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_roster_import_writes_codes_and_refuses_bad_files_whole(tmp_path):
    good = tmp_path / "roster.csv"
    good.write_text("工号,姓名,部门,支部,党员,角色\n1001,张伟,生产部,第一支部,是,书记\n1002,王芳,生产部,,否,\n",
                    encoding="utf-8-sig")
    out = run(tmp_path, "roster", "import", str(good), "--out", str(tmp_path / "codes.csv"))
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader((tmp_path / "codes.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["employee_no", "name", "invite_code", "invite_link"]
    assert [r[0] for r in rows[1:]] == ["1001", "1002"]
    assert rows[1][3] == f"https://t.me/tongxin_test_bot?start={rows[1][2]}"

    bad = tmp_path / "bad.csv"
    bad.write_text("工号,姓名,部门\n1003,李强,生产部\n,无号,生产部\n", encoding="gb18030")
    out = run(tmp_path, "roster", "import", str(bad))
    assert out.returncode == 2 and "3" in out.stderr and out.stderr.strip().count("\n") == 0
    out = run(tmp_path, "roster", "import", str(tmp_path / "missing.csv"))
    assert out.returncode == 2 and "no such file" in out.stderr
    out = run(tmp_path, "report", "--out", str(tmp_path / "r.xlsx"))
    assert out.returncode == 0, out.stderr
    wb = load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames[:2] == ["汇总", "单位"] and wb.sheetnames[-2:] == ["指标说明", "原始数据"]
    assert {"责任清单", "诉求闭环", "接待成效", "图表", "党员教育覆盖率"} <= set(wb.sheetnames)
    units = [r[1] for r in wb["单位"].iter_rows(min_row=2, values_only=True)]
    assert "李强" not in str(units) and sorted(units) == ["生产部", "第一支部"]  # the refused file added nothing


def test_report_refuses_a_bad_period(tmp_path):
    out = run(tmp_path, "report", "--period", "2026-13", "--out", str(tmp_path / "r.xlsx"))
    assert out.returncode == 2 and not (tmp_path / "r.xlsx").exists()


def test_times_on_the_command_line_may_be_iso_8601_with_an_offset(tmp_path):
    import sqlite3

    roster = tmp_path / "roster.csv"
    roster.write_text("工号,姓名,部门,支部,党员\n1001,张伟,生产部,第一支部,是\n", encoding="utf-8-sig")
    assert run(tmp_path, "roster", "import", str(roster)).returncode == 0
    out = run(tmp_path, "surveys", "publish", "builtin:enps", "--audience", "all",
              "--opens", "2099-11-30T08:00+08:00", "--closes", "2099-12-01T13:18+00:00")
    assert out.returncode == 0, out.stderr
    lesson = tmp_path / "lesson.md"
    lesson.write_text("# 安全\n\n正文。\n", encoding="utf-8")
    out = run(tmp_path, "lessons", "publish", str(lesson), "--audience", "all", "--at", "2099-12-05T01:00Z")
    assert out.returncode == 0, out.stderr
    assert "publishes at 2099-12-05 09:00" in out.stdout  # 01:00 UTC is 09:00 in Shanghai
    with sqlite3.connect(tmp_path / "data" / "tongxin.db") as conn:
        opens, closes = conn.execute("SELECT opens_at, closes_at FROM surveys").fetchone()
        publish_at = conn.execute("SELECT publish_at FROM lessons").fetchone()[0]
    assert opens.startswith("2099-11-30 00:00") and closes.startswith("2099-12-01 13:18"), (opens, closes)
    assert publish_at.startswith("2099-12-05 01:00"), publish_at

    out = run(tmp_path, "surveys", "publish", "builtin:enps", "--audience", "all", "--closes", "2099-12-01T25:00+00:00")
    assert out.returncode == 2 and "not a date" in out.stderr


def test_roster_import_refuses_a_file_over_the_configured_row_cap_and_writes_nothing(tmp_path, monkeypatch):
    import sqlite3

    monkeypatch.setenv("TONGXIN_ROSTER_MAX_ROWS", "2")
    roster = tmp_path / "roster.csv"
    roster.write_text("工号,姓名,部门\n1,甲,生产部\n2,乙,生产部\n3,丙,生产部\n", encoding="utf-8-sig")
    out = run(tmp_path, "roster", "import", str(roster))
    assert out.returncode == 2 and "超过 2 行的上限" in out.stderr, out.stderr
    assert run(tmp_path, "db", "upgrade").returncode == 0
    with sqlite3.connect(tmp_path / "data" / "tongxin.db") as conn:
        assert conn.execute("SELECT count(*) FROM members").fetchone() == (0,)
