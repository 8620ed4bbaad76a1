"""Unit tests of the spine's storage services: tables people bring, roster, invites, audiences, calendar."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timezone

import pytest
from openpyxl import Workbook

from storage import audiences, calendar, invites, members, roster
from storage.errors import InvalidFile, Refused
from storage.members import TelegramUser
from storage.tabular import parse_datetime, read_table


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


COLS = {"employee_no": ("工号",), "name": ("姓名",), "department": ("部门",)}


def test_xlsx_with_title_row_numbers_as_numbers_and_trailing_empty_rows():
    data = _xlsx([["2026年花名册"], ["工号", "姓名", "部门"], [1001, "张伟", "生产部"], [None, None, None],
                  [1002.0, "王芳", "财务部"], [None, None, None], [None, None, None]])
    rows = read_table(data, "r.xlsx", COLS, ("employee_no", "name"))
    assert [(r.number, r.text("employee_no"), r.text("name")) for r in rows] == [(3, "1001", "张伟"),
                                                                               (5, "1002", "王芳")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_the_encodings_excel_and_wps_save(encoding):
    data = "工号,姓名,部门\n1001,张伟,生产部\n".encode(encoding)
    [row] = read_table(data, "r.csv", COLS, ("employee_no",))
    assert row.text("name") == "张伟" and row.number == 2


def test_missing_headers_and_wrong_type_are_refused():
    with pytest.raises(InvalidFile) as err:
        read_table(b"a,b\n1,2\n", "r.csv", COLS, ("employee_no",))
    assert err.value.problems[0].code == "file_headers"
    with pytest.raises(InvalidFile):
        read_table(b"x", "r.pdf", COLS, ("employee_no",))


@pytest.mark.parametrize("text,expected", [
    ("2026-12-01", (date(2026, 12, 1), None)),
    ("2026/12/1", (date(2026, 12, 1), None)),
    ("2026年12月1日", (date(2026, 12, 1), None)),
    ("2026-12-01 17:30", (date(2026, 12, 1), time(17, 30))),
    (datetime(2026, 12, 1), (date(2026, 12, 1), None)),
    ("2026-13-01", None),
    ("明天", None),
])
def test_dates_as_cells_or_text(text, expected):
    assert parse_datetime(text) == expected


async def test_roster_upserts_by_employee_no_and_issues_codes_only_to_unlinked(db, ctx):
    sheet = "工号,姓名,部门,支部,党员,角色\n1001,张伟,生产部,第一支部,是,书记\n1002,王芳,生产部,,否,\n"
    async with db.session() as s:
        result = await roster.apply(s, ctx, roster.check(sheet.encode(), "r.csv"))
    assert (result.created, result.updated, len(result.invitations)) == (2, 0, 2)
    async with db.session() as s:
        await members.register(s, ctx, TelegramUser(11, 11, "张伟"), result.invitations[0].code)
    async with db.session() as s:
        again = await roster.apply(s, ctx, roster.check(sheet.replace("王芳", "王芳芳").encode(), "r.csv"))
    assert (again.created, again.updated) == (0, 2)
    assert [i.employee_no for i in again.invitations] == ["1002"]
    async with db.session() as s:
        m = await members.by_employee_no(s, "1002")
        assert m.name == "王芳芳" and m.branch_id is None
        zhang = await members.by_employee_no(s, "1001")
        assert zhang.has_role("secretary") and zhang.party_member


async def test_a_fresh_code_replaces_the_old_one(db, ctx):
    async with db.session() as s:
        result = await roster.apply(s, ctx, roster.check("工号,姓名,部门\n7,甲,生产部\n".encode(), "r.csv"))
        old = result.invitations[0].code
        m = await members.by_employee_no(s, "7")
        new = await invites.issue(s, ctx, m.id)
    async with db.session() as s:
        with pytest.raises(Refused) as err:
            await members.register(s, ctx, TelegramUser(1, 1), old)
        assert err.value.template == "start_code_wrong"
    async with db.session() as s:
        assert (await members.register(s, ctx, TelegramUser(1, 1), new.lower())).employee_no == "7"


async def test_audiences_union_and_unknown_units(db, ctx):
    sheet = ("工号,姓名,部门,支部,党员,角色\n1,甲,生产部/一车间,第一支部,是,\n2,乙,财务部,第二支部,否,书记\n"
             "3,丙,生产部,第二支部,否,\n")
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(sheet.encode(), "r.csv"))
    async with db.session() as s:
        names = lambda ms: sorted(m.name for m in ms)  # noqa: E731
        assert names(await audiences.members(s, "unit:生产部")) == ["丙", "甲"]  # includes 一车间
        assert names(await audiences.members(s, "party, role:secretary")) == ["乙", "甲"]
        assert names(await audiences.members(s, "branch:第二支部")) == ["丙", "乙"]
        assert len(await audiences.members(s, "all")) == 3
        with pytest.raises(Refused):
            await audiences.validate(s, "unit:人事部")
        with pytest.raises(Refused):
            audiences.parse("everyone")


def test_quiet_hours_wait_for_the_morning(ctx):
    late = datetime(2026, 12, 3, 15, 0, tzinfo=timezone.utc)  # 23:00 in Shanghai
    assert calendar.is_quiet(late, ctx)
    assert calendar.after_quiet(late, ctx) == datetime(2026, 12, 4, 0, 0, tzinfo=timezone.utc)  # 08:00
    early = datetime(2026, 12, 3, 22, 30, tzinfo=timezone.utc)  # 06:30 next day
    assert calendar.after_quiet(early, ctx) == datetime(2026, 12, 4, 0, 0, tzinfo=timezone.utc)
    noon = datetime(2026, 12, 3, 4, 0, tzinfo=timezone.utc)
    assert not calendar.is_quiet(noon, ctx) and calendar.after_quiet(noon, ctx) == noon


def test_a_span_of_waking_time_skips_the_quiet_hours_and_never_ends_in_them(ctx):
    from datetime import timedelta

    two = timedelta(hours=2)
    at = datetime(2026, 12, 3, 13, 27, tzinfo=timezone.utc)  # 21:27 in Shanghai
    assert calendar.awake_after(at, two, ctx) == datetime(2026, 12, 4, 1, 27, tzinfo=timezone.utc)  # 09:27
    night = datetime(2026, 12, 3, 15, 0, tzinfo=timezone.utc)  # 23:00: starts at 08:00
    assert calendar.awake_after(night, two, ctx) == datetime(2026, 12, 4, 2, 0, tzinfo=timezone.utc)  # 10:00
    noon = datetime(2026, 12, 3, 4, 0, tzinfo=timezone.utc)
    assert calendar.awake_after(noon, two, ctx) == noon + two
    for minute in range(0, 24 * 60, 7):
        start = noon + timedelta(minutes=minute)
        assert not calendar.is_quiet(calendar.awake_after(start, two, ctx), ctx)
    assert calendar.delivery_note(noon, ctx) is None
    assert calendar.delivery_note(night, ctx) == calendar.local(datetime(2026, 12, 4, 0, 0, tzinfo=timezone.utc), ctx)


def test_working_days_skip_weekends():
    assert calendar.add_working_days(date(2026, 12, 4), 2) == date(2026, 12, 8)  # Fri + 2 = Tue
    assert calendar.working_days_between(date(2026, 12, 4), date(2026, 12, 8)) == 2
