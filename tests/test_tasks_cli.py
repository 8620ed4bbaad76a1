"""`python -m bot tasks import FILE` as an operator runs it: one-line reasons and exit 2 on a bad file
(nothing written), and re-importing updates by task_no."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from tests.support.botenv import DEMO_ROSTER
from tests.support.tasks import sheet


def run(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "WEBHOOK_"))}
    env.update(TONGXIN_DATA_DIR=str(tmp_path / "data"), LANG="C.UTF-8")
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def tasks_in(tmp_path) -> list[tuple]:
    with sqlite3.connect(next((tmp_path / "data").glob("*.db"))) as conn:
        return conn.execute("select task_no, title, due_date from tasks order by task_no").fetchall()


def test_tasks_import_refuses_a_bad_file_whole_then_imports_and_updates_by_task_no(tmp_path):
    (tmp_path / "roster.csv").write_text(DEMO_ROSTER, encoding="utf-8")
    assert run(tmp_path, "roster", "import", str(tmp_path / "roster.csv")).returncode == 0

    bad = tmp_path / "bad.csv"
    bad.write_bytes(sheet("T-1,安全培训,生产部,,1002,2026-12-20,", "T-2,整理台账,采购部,,1002,2026-12-20,",
                          "T-3,上报报表,生产部,,1002,明天,"))
    out = run(tmp_path, "tasks", "import", str(bad))
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0
    assert "3: " in out.stderr and "采购部" in out.stderr and "4: " in out.stderr and "明天" in out.stderr
    assert tasks_in(tmp_path) == []

    good = tmp_path / "good.csv"
    good.write_bytes(sheet("T-1,安全培训,生产部,财务部,1002,2026-12-20,", "T-2,整理台账,财务部,,1005,2026/12/31,"))
    out = run(tmp_path, "tasks", "import", str(good))
    assert out.returncode == 0, out.stderr
    assert "2 created, 0 updated" in out.stdout
    good.write_bytes(sheet("T-1,安全培训（全员）,生产部,,1002,2026-12-22,"))
    out = run(tmp_path, "tasks", "import", str(good))
    assert "0 created, 1 updated, 1 rescheduled" in out.stdout
    assert tasks_in(tmp_path) == [("T-1", "安全培训（全员）", "2026-12-22"), ("T-2", "整理台账", "2026-12-31")]

    out = run(tmp_path, "tasks", "import", str(tmp_path / "missing.csv"))
    assert out.returncode == 2 and "no such file" in out.stderr
