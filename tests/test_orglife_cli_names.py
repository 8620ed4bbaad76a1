"""The command line as an operator types it: periods in Chinese, the host and the invitee by name. A name that
fits several people is refused naming them, and nothing is written."""
from __future__ import annotations

import sqlite3

from tests.support.orglife import BRANCH_OF_FOUR
from tests.support.refusals import refusal

# Two 王s in 第一支部 besides 张伟, 孙丽 and 周杰; 王芳 also has a namesake-in-part, 王芳芳, in 第二支部.
ROSTER = BRANCH_OF_FOUR + "1010,王强,生产部,第一支部,是,employee\n1011,王芳芳,财务部,第二支部,是,employee\n"


def _rows(sqlite_url: str, *tables: str) -> list:
    with sqlite3.connect(sqlite_url.split("///", 1)[1]) as conn:
        return [conn.execute(f"SELECT * FROM {t}").fetchall() for t in tables]


def _setup(run_cli, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert run_cli("roster", "import", str(roster))[0] == 0


def _add(run_cli, host: str):
    return run_cli("meetings", "add", "--branch", "第一支部", "--kind", "党课", "--at", "2030-01-05 09:00",
                   "--place", "会议室", "--topic", "党史", "--host", host)


def test_orglife_config_takes_the_period_in_chinese(run_cli, tmp_path):
    _setup(run_cli, tmp_path)
    code, out, _ = run_cli("orglife", "config", "--kind", "党课", "--period", "月")
    assert code == 0 and "党课: 1 per month" in out
    code, out, _ = run_cli("orglife", "config", "--kind", "支委会", "--period", "季度", "--required", "2")
    assert code == 0 and "支委会: 2 per quarter" in out
    code, out, _ = run_cli("orglife", "config", "--kind", "党课", "--period", "quarter")
    assert code == 0 and "党课: 1 per quarter" in out


def test_an_unknown_period_is_refused_and_nothing_changes(run_cli, tmp_path, sqlite_url):
    _setup(run_cli, tmp_path)
    before = _rows(sqlite_url, "orglife_rules")
    code, _, err = run_cli("orglife", "config", "--kind", "党课", "--period", "周")
    assert code != 0 and err.strip() == "error: " + refusal("zh", "orglife_bad_period", value="周")
    assert _rows(sqlite_url, "orglife_rules") == before


def test_meetings_add_takes_the_host_by_a_unique_name(run_cli, tmp_path, sqlite_url):
    _setup(run_cli, tmp_path)
    code, out, _ = _add(run_cli, "王芳")  # 王芳 exactly, though 王芳芳 contains it
    assert code == 0
    code, out, _ = _add(run_cli, "孙")  # part of a name that fits one person
    assert code == 0
    with sqlite3.connect(sqlite_url.split("///", 1)[1]) as conn:
        hosts = conn.execute("SELECT m.employee_no FROM orglife_meetings o JOIN members m ON m.id = o.host_id "
                             "ORDER BY o.id").fetchall()
    assert hosts == [("1002",), ("1008",)]


def test_a_host_name_fitting_several_people_is_refused_naming_them(run_cli, tmp_path, sqlite_url):
    _setup(run_cli, tmp_path)
    before = _rows(sqlite_url, "orglife_meetings", "orglife_invitations", "outbox")
    code, _, err = _add(run_cli, "王")
    assert code != 0 and err.strip() == "error: " + refusal(
        "zh", "orglife_ambiguous_person", value="王", candidates=["王芳（1002）", "王强（1010）", "王芳芳（1011）"],
        more=False)
    code, _, err = _add(run_cli, "赵六")
    assert code != 0 and err.strip() == "error: " + refusal("zh", "orglife_unknown_host", value="赵六")
    assert _rows(sqlite_url, "orglife_meetings", "orglife_invitations", "outbox") == before


def test_meetings_attendance_takes_a_name_unique_among_the_invitees(run_cli, tmp_path, sqlite_url):
    _setup(run_cli, tmp_path)
    code, out, _ = _add(run_cli, "1001")
    meeting = out.split()[1].rstrip(":")
    with sqlite3.connect(sqlite_url.split("///", 1)[1]) as conn:  # the meeting took place
        conn.execute("UPDATE orglife_meetings SET starts_at = replace(starts_at, '2030', '2020'), "
                     "ends_at = replace(ends_at, '2030', '2020')")
    args = ("meetings", "attendance", "--meeting", meeting)
    before = _rows(sqlite_url, "orglife_attendance", "audit_events")
    code, _, err = run_cli(*args, "--member", "王", "--status", "present")  # 王芳芳 is not invited: two remain
    assert code != 0 and err.strip() == "error: " + refusal(
        "zh", "orglife_ambiguous_person", value="王", candidates=["王芳（1002）", "王强（1010）"], more=False)
    code, _, err = run_cli(*args, "--member", "王芳芳", "--status", "present")  # not among the invitees
    assert code != 0 and err.strip() == "error: " + refusal("zh", "orglife_unknown_member", value="王芳芳")
    assert _rows(sqlite_url, "orglife_attendance", "audit_events") == before
    code, out, _ = run_cli(*args, "--member", "王芳", "--status", "present")
    assert code == 0 and "1002 王芳 now present" in out
    code, out, _ = run_cli(*args, "--member", "周", "--status", "缺席")
    assert code == 0 and "1009 周杰 now absent" in out


def test_meetings_import_names_the_people_a_host_name_fits_and_calls_the_column_host(run_cli, tmp_path, sqlite_url):
    # The host column takes a name now: a name fitting several people says so, as `meetings add --host` does,
    # and an unknown one is not called an employee number.
    _setup(run_cli, tmp_path)
    plan = tmp_path / "plan.csv"
    plan.write_text("支部,会议类型,时间,地点,主题,主持人\n"
                    "第一支部,党课,2030-01-05 09:00,会议室,党史,王\n"
                    "第一支部,党课,2030-01-06 09:00,会议室,党史,赵六\n", encoding="utf-8-sig")
    code, _, err = run_cli("meetings", "import", str(plan))
    assert code != 0
    assert "2: 主持人“王”对应多人：王芳（1002）、王强（1010）、王芳芳（1011），请改用工号。" in err, err
    assert "3: 主持人“赵六”无法识别" in err and "工号“赵六”" not in err, err

