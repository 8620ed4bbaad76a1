"""Organisational life's storage: host corrections, KPI figures by hand, the ledger, the CLI and its refusals."""
from __future__ import annotations

import sqlite3
from datetime import date, time

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storage import calendar, members, orglife
from storage.errors import Refused
from storage.models.org import Member
from storage.orglife import Attendance, Invitation, Meeting, OrglifeRule
from tests.support.botenv import DEMO_ROSTER
from tests.support.orglife import DAY, local, plan, present
from tests.support.refusals import snapshot


async def _checkin(env, employee_no: str, meeting_id: int) -> None:
    async with env.db.session() as s:
        member = await members.by_employee_no(s, employee_no)
        meeting = await s.get(Meeting, meeting_id)
        await orglife.checkin_code(s, env.ctx, member, orglife.current_code(env.ctx, meeting))


async def test_the_host_corrects_attendance_afterwards_and_who_and_when_is_recorded(env, clock):
    await env.import_roster(DEMO_ROSTER)
    meeting = await plan(env, host="1001")
    clock.set(local(DAY, 14, 30))
    await _checkin(env, "1002", meeting)
    async with env.db.session() as s:
        wang = await members.by_employee_no(s, "1002")
        with pytest.raises(Refused) as refused:  # a member cannot correct
            await orglife.correct(s, env.ctx, wang, meeting, "1001", "present")
        assert refused.value.template == "not_allowed"
    clock.set(local(DAY, 17, 0))
    async with env.db.session() as s:
        zhang = await members.by_employee_no(s, "1001")
        await orglife.correct(s, env.ctx, zhang, meeting, "1001", "present")
        await orglife.correct(s, env.ctx, zhang, meeting, "1002", "absent")
        with pytest.raises(Refused) as refused:  # 李强 was not invited
            await orglife.correct(s, env.ctx, zhang, meeting, "1003", "present")
        assert refused.value.template == "orglife_not_invited"
    assert await present(env, meeting) == [("1001", True, "host"), ("1002", False, "code")]
    async with env.db.session() as s:
        rows = (await s.execute(select(Attendance).order_by(Attendance.member_id))).scalars().all()
        zhang = await members.by_employee_no(s, "1001")
        assert {(r.corrected_by, r.corrected_at) for r in rows} == {(zhang.id, local(DAY, 17, 0))}


async def test_a_correction_before_the_start_is_refused_and_changes_nothing(env):
    await env.import_roster(DEMO_ROSTER)
    meeting = await plan(env, host="1001")
    before = await snapshot(env.db)
    async with env.db.session() as s:
        zhang = await members.by_employee_no(s, "1001")
        with pytest.raises(Refused) as refused:
            await orglife.correct(s, env.ctx, zhang, meeting, "1002", "present")
    assert refused.value.template == "orglife_not_started"
    assert await snapshot(env.db) == before


async def test_kpi_figures_by_hand(env, clock):
    await env.import_roster(DEMO_ROSTER)
    general = await plan(env, kind="党员大会", at="2026-12-15 14:30")  # 张伟, 王芳 invited
    await plan(env, kind="党员大会", at="2026-12-16 14:30")  # a second one: counts once towards the rule
    await plan(env, branch="第二支部", kind="主题党日", at="2026-12-18 09:00", host="1004")  # 刘洋, 赵磊
    clock.set(local(DAY, 14, 30))
    await _checkin(env, "1002", general)
    clock.set(local(date(2026, 12, 20), 9))
    start, end = calendar.at_local(date(2026, 12, 1), time(0), env.ctx), calendar.at_local(date(2027, 1, 1), time(0),
                                                                                             env.ctx)
    async with env.db.session() as s:
        figures = await orglife.kpi_figures(s, env.ctx, unit_ids=None, start=start, end=end)
        first = (await s.execute(select(Meeting.branch_id).where(Meeting.id == general))).scalar_one()
        only_first = await orglife.kpi_figures(s, env.ctx, unit_ids={first}, start=start, end=end)
    # December: three monthly kinds and (the quarter ends) two quarterly ones, for each of the two branches.
    assert figures["required_meetings"] == 10 and figures["required_held"] == 2
    assert figures["required_held_rate"] == pytest.approx(0.2)
    # Held so far: three meetings, 2 + 2 + 2 invited, one present.
    assert (figures["meetings_held"], figures["invited"], figures["present"]) == (3, 6, 1)
    assert figures["attendance_rate"] == pytest.approx(1 / 6)
    assert (only_first["required_meetings"], only_first["required_held"]) == (5, 1)
    assert (only_first["invited"], only_first["present"]) == (4, 1)


@pytest.fixture
def cli(run_cli, tmp_path):
    """The command line on a migrated SQLite with the demo organisation imported."""
    run = run_cli
    roster = tmp_path / "roster.csv"
    roster.write_text(DEMO_ROSTER, encoding="utf-8")
    assert run("roster", "import", str(roster))[0] == 0
    return run


def _rows(sqlite_url: str, table: str) -> list:
    with sqlite3.connect(sqlite_url.split("///", 1)[1]) as conn:
        return conn.execute(f"SELECT * FROM {table}").fetchall()


def test_meetings_add_refuses_bad_input_with_one_line_and_changes_nothing(cli, sqlite_url):
    for args, reason in [
        (("--branch", "第九支部", "--kind", "党课", "--at", "2030-01-05 09:00"), "第九支部"),
        (("--branch", "第一支部", "--kind", "支部会", "--at", "2030-01-05 09:00"), "支部会"),
        (("--branch", "第一支部", "--kind", "党课", "--at", "明天"), "明天"),
        (("--branch", "第一支部", "--kind", "党课", "--at", "2020-01-05 09:00"), "已经过去"),
        (("--branch", "第一支部", "--kind", "党课", "--at", "2030-01-05 09:00", "--host", "9999"), "9999"),
    ]:
        code, out, err = cli("meetings", "add", *args, "--place", "会议室", "--topic", "党课")
        assert code != 0 and err.startswith("error: ") and len(err.strip().splitlines()) == 1 and reason in err
        assert _rows(sqlite_url, "orglife_meetings") == [] and _rows(sqlite_url, "orglife_invitations") == []
        assert all("orglife" not in str(r) for r in _rows(sqlite_url, "outbox"))
    code, out, _ = cli("meetings", "add", "--branch", "第一支部", "--kind", "党课", "--at", "2030-01-05 09:00",
                       "--place", "会议室", "--topic", "党的二十大精神", "--host", "1001")
    assert code == 0 and "2 invited" in out
    assert len(_rows(sqlite_url, "orglife_meetings")) == 1 and len(_rows(sqlite_url, "orglife_invitations")) == 2


def test_orglife_config_changes_a_kinds_rhythm_and_refuses_bad_values(cli, sqlite_url):
    code, out, _ = cli("orglife", "config")
    assert code == 0 and "支委会: 1 per month" in out and "党课: 1 per quarter" in out
    assert _rows(sqlite_url, "orglife_rules") == []
    code, out, _ = cli("orglife", "config", "--kind", "党课", "--period", "month", "--required", "2")
    assert code == 0 and "党课: 2 per month" in out
    for args in (("--kind", "支部会", "--required", "1"), ("--kind", "党课", "--required", "40"),
                 ("--kind", "党课", "--audience", "unit:没有"), ("--required", "1")):
        code, _, err = cli("orglife", "config", *args)
        assert code != 0 and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert [(r[0], r[1], r[2]) for r in _rows(sqlite_url, "orglife_rules")] == [("党课", "month", 2)]
    code, out, _ = cli("orglife", "config", "--minutes-days", "5")
    assert code == 0 and "minutes due 5 days after a meeting" in out
    code, _, err = cli("orglife", "config", "--minutes-days", "90")
    assert code != 0 and "90" in err
    assert "minutes due 5 days" in cli("orglife", "config")[1]


async def test_the_ledger_has_one_sheet_per_kind_and_its_cells_match_the_data(env, clock, tmp_path):
    await env.import_roster(DEMO_ROSTER)
    general = await plan(env, kind="党员大会", topic="=HYPERLINK(\"x\")")
    lesson = await plan(env, kind="党课", at="2026-12-20 09:00", topic="党史学习")
    async with env.db.session() as s:
        wang = await members.by_employee_no(s, "1002")
        await orglife.ask_leave(s, env.ctx, wang, lesson, "出差")
    clock.set(local(DAY, 14, 30))
    await _checkin(env, "1002", general)
    async with env.db.session() as s:
        data = await orglife.ledger(s, env.ctx, "第一支部", 2026)
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(data)
    book = load_workbook(path)
    assert book.sheetnames == list(orglife.KINDS)
    rows = [[c.value for c in row] for row in book["党员大会"].iter_rows()]
    assert rows[0] == ["会议类型", "时间", "主题", "主持人", "应到", "实到", "请假", "缺席", "补学", "会议记录"]
    assert rows[1] == ["党员大会", "2026-12-15 14:30", "'=HYPERLINK(\"x\")", "张伟", 2, 1, 0, 1, 0, None]
    lessons = [[c.value for c in row] for row in book["党课"].iter_rows()]
    assert lessons[1][:9] == ["党课", "2026-12-20 09:00", "党史学习", "张伟", 2, 0, 1, 1, 0]
    assert [[c.value for c in row] for row in book["支委会"].iter_rows()][1:] == []
    async with env.db.session() as s:
        with pytest.raises(Refused):
            await orglife.ledger(s, env.ctx, "第九支部", 2026)


def test_meetings_export_writes_the_ledger_and_refuses_a_bad_path(cli, tmp_path):
    code, _, err = cli("meetings", "export", "--branch", "第一支部", "--year", "2026", "--out", str(tmp_path / "a.csv"))
    assert code != 0 and err.startswith("error: ")
    code, _, err = cli("meetings", "export", "--branch", "第九支部", "--year", "2026", "--out", str(tmp_path / "a.xlsx"))
    assert code != 0 and not (tmp_path / "a.xlsx").exists()
    code, out, _ = cli("meetings", "export", "--branch", "第一支部", "--year", "2026", "--out", str(tmp_path / "a.xlsx"))
    assert code == 0 and load_workbook(tmp_path / "a.xlsx").sheetnames == list(orglife.KINDS)


async def test_a_configured_audience_replaces_the_default_and_a_rule_of_zero_is_not_watched(env, clock):
    await env.import_roster(DEMO_ROSTER)
    async with env.db.session() as s:
        await orglife.configure(s, env.ctx, "党课", audience="unit:生产部")
        await orglife.configure(s, env.ctx, "支委会", required=0)
        assert (await s.get(OrglifeRule, "党课")).audience == "unit:生产部"
    meeting = await plan(env, kind="党课")
    async with env.db.session() as s:
        nos = (await s.execute(select(Member.employee_no).join(Invitation, Invitation.member_id == Member.id)
                               .where(Invitation.meeting_id == meeting).order_by(Member.employee_no))).scalars().all()
    assert nos == ["1001", "1002", "1003"]


def test_meetings_import_checks_the_whole_file_first_then_plans_every_meeting(cli, sqlite_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("支部,会议类型,时间,地点,主题,主持人工号\n"
                   "第一支部,支委会,2027-01-08 09:00,支部办公室,研究发展党员,1001\n"
                   "第九支部,党课,2027-01-20 14:00,党员活动室,党史学习,\n"
                   "第二支部,支部会,2020-01-20 14:00,,主题,9999\n", encoding="utf-8-sig")
    code, _, err = cli("meetings", "import", str(bad))
    assert code != 0 and len(err.strip().splitlines()) == 1
    for reason in ("3: 支部“第九支部”无法识别", "4: 地点不能为空", "4: 会议类型“支部会”无法识别",
                   "4: 时间“2020-01-20 14:00”已经过去", "4: 主持人“9999”无法识别"):
        assert reason in err
    assert _rows(sqlite_url, "orglife_meetings") == []

    good = tmp_path / "good.csv"
    good.write_text("季度会议计划\n支部,会议类型,时间,地点,主题,主持人工号\n"
                    "第一支部,支委会,2027-01-08 09:00,支部办公室,研究发展党员,1001\n"
                    "第二支部,主题党日,2027-01-20 14:00,红色教育基地,参观学习,\n\n", encoding="utf-8-sig")
    code, out, _ = cli("meetings", "import", str(good))
    assert code == 0 and "meetings: 2 planned" in out
    assert len(_rows(sqlite_url, "orglife_meetings")) == 2


def test_meetings_import_takes_the_host_by_name_as_the_chat_does(cli, sqlite_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("支部,会议类型,时间,地点,主题,主持人\n"
                   "第一支部,党课,2027-01-08 09:00,党员活动室,党史学习,张伟\n"
                   "第一支部,党课,2027-01-09 09:00,党员活动室,党史学习,赵六\n", encoding="utf-8-sig")
    code, _, err = cli("meetings", "import", str(bad))
    assert code != 0 and "3: 主持人“赵六”无法识别" in err and "2:" not in err
    assert _rows(sqlite_url, "orglife_meetings") == []

    good = tmp_path / "good.csv"
    good.write_text("支部,会议类型,时间,地点,主题,主持人\n"
                    "第一支部,党课,2027-01-08 09:00,党员活动室,党史学习,张伟\n"
                    "第一支部,支委会,2027-01-09 09:00,支部办公室,研究发展党员,1003\n", encoding="utf-8-sig")
    code, out, _ = cli("meetings", "import", str(good))
    assert code == 0 and "meetings: 2 planned" in out
    with sqlite3.connect(sqlite_url.split("///", 1)[1]) as conn:
        hosts = conn.execute("SELECT m.employee_no FROM orglife_meetings o JOIN members m ON m.id = o.host_id"
                             " ORDER BY o.starts_at").fetchall()
    assert hosts == [("1001",), ("1003",)]
