"""`surveys publish` from the command line: a published survey, and refusals that change nothing."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from tests.support.surveys import FOUR_QUESTIONS


def run(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "WEBHOOK_"))}
    env.update(TONGXIN_DATA_DIR=str(tmp_path / "data"), LANG="C.UTF-8")
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def surveys_in(tmp_path) -> list[tuple]:
    with sqlite3.connect(tmp_path / "data" / "tongxin.db") as conn:
        return conn.execute("SELECT title, audience, anonymous, min_group_size, tag FROM surveys").fetchall()


def test_publish_from_a_file_and_refuse_bad_input_whole(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("工号,姓名,部门,支部,党员\n1001,张伟,生产部,第一支部,是\n1002,王芳,生产部,第一支部,否\n",
                      encoding="utf-8-sig")
    assert run(tmp_path, "roster", "import", str(roster)).returncode == 0
    questions = tmp_path / "q.csv"
    questions.write_text(FOUR_QUESTIONS, encoding="utf-8-sig")

    out = run(tmp_path, "surveys", "publish", str(questions), "--title", "食堂", "--audience", "unit:生产部",
              "--closes", "2099-01-10", "--named", "--min-group-size", "3", "--tag", "satisfaction")
    assert out.returncode == 0, out.stderr
    assert "4 questions" in out.stdout and "2 members asked" in out.stdout and "named" in out.stdout
    assert surveys_in(tmp_path) == [("食堂", "unit:生产部", 0, 3, "satisfaction")]

    for args, reason in (
        (["--audience", "unit:不存在"], "不存在"),
        (["--audience", "all", "--min-group-size", "2"], "at least 3"),
        (["--audience", "all", "--closes", "2001-01-01"], "已经过去"),
    ):
        out = run(tmp_path, "surveys", "publish", str(questions), "--title", "又一份", *args)
        assert out.returncode == 2 and reason in out.stderr, (args, out.stderr)
        assert out.stderr.strip().count("\n") == 0

    bad = tmp_path / "bad.csv"
    bad.write_text("kind,question,options\nsingle,Pick one,only\nscale10,,\n", encoding="utf-8")
    out = run(tmp_path, "surveys", "publish", str(bad), "--title", "坏的", "--audience", "all")
    assert out.returncode == 2 and "2:" in out.stderr and "3:" in out.stderr
    assert len(surveys_in(tmp_path)) == 1

    out = run(tmp_path, "surveys", "publish", "builtin:enps", "--audience", "all")
    assert out.returncode == 0, out.stderr
    assert surveys_in(tmp_path)[-1] == ("员工推荐度调查（eNPS）", "all", 1, 5, "enps")
