"""Files that cannot hurt, and forged presses that cannot either: hostile uploads are refused without
stalling anyone, exports never run formulas, units are told apart by their path, and a callback id beyond
64 bits is an expired button."""
from __future__ import annotations

import asyncio
import csv
import io
import logging
import time

import pytest
from sqlalchemy import func, select

from storage import tabular
from storage.errors import InvalidFile
from storage.tasks import Task
from tests.support.files import xlsx_bomb
from tests.support.tasks import cast, sheet

EXPIRED = "这个按钮已失效。"


async def test_a_button_whose_id_overflows_64_bits_is_an_expired_button_and_logs_no_error(env, caplog):
    c = await cast(env)
    caplog.set_level(logging.WARNING)
    huge = str(2**64)
    for data in (f"tsk:{huge}:done", f"svy:{huge}:start", f"les:{huge}:learned", f"quz:{huge}:retry",
                 f"quz:1:{huge}.0", f"rcp:{huge}:book", f"bkg:{huge}:cancel", f"inb:{huge}:take",
                 f"fbk:{huge}:view", f"fbk:1:rate{huge}", f"rcw:{huge}:res", f"lsw:0:a{huge}",
                 f"tsk:{'9' * 40}:done", "tsk:１２:done"):
        press = await c.zhang.press_data(data)
        assert press.toast == EXPIRED, data
        assert not press.new, data
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


HOSTILE = ("=HYPERLINK(\"http://evil.example\",\"点我\")", "=cmd|' /C calc'!A0", "+1+2", "-3+4", "@SUM(1,2)",
           "\t=1", "\r=2")
RISKY = ("=", "+", "-", "@", "\t", "\r")


def formulas_in(content: bytes) -> list[str]:
    """Every cell of every sheet that Excel would run (a formula, or text that starts like one)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(RISKY)):
                    found.append(f"{ws.title}!{cell.coordinate}={cell.value!r}")
    return found


async def test_no_export_holds_a_formula_whatever_people_typed(env, tmp_path):
    from storage import report, roster, surveys as survey_service, tasks
    from storage.surveys import QuestionSpec

    hostile_roster = "employee_no,name,department,branch,party_member,roles\n" + "".join(
        f"{2000 + i},\"{name.replace(chr(34), chr(34) * 2)}\",=2+3,@分支,是,employee\n"
        for i, name in enumerate(HOSTILE[:3])) + "1001,张伟,生产部,第一支部,是,secretary\n"
    async with env.db.session() as s:
        result = await roster.apply(s, env.ctx, roster.check(hostile_roster.encode(), "r.csv"))
    codes = roster.codes_csv(result.invitations).decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(codes)) for c in row]
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in cells
    assert not [c for c in cells if c.startswith(RISKY)], cells

    people = [await env.join(700 + i, f"p{i}", f"{2000 + i}") for i in range(3)]
    zhang = await env.join(101, "张伟", "1001")
    admin = env.admin()
    await admin.send("/help")
    for anonymous in (False, True):
        async with env.db.session() as s:
            survey = await survey_service.publish(
                s, env.ctx, title="=1+1 调查", audience="all", anonymous=anonymous, min_group_size=3,
                questions=[QuestionSpec("single", "-选哪个", ["=A1", "+B"]), QuestionSpec("text", "@建议")])
        await env.tick()
        for i, person in enumerate(people):
            await person.press("开始答题", invitation_of(person, survey.id))
            await person.press("=A1" if i % 2 else "+B")
            await person.say(HOSTILE[i] if anonymous else HOSTILE[3 + i])
        await zhang.press("开始答题", invitation_of(zhang, survey.id))
        await zhang.press("=A1")
        await zhang.say(HOSTILE[6])
        out = await admin.send(f"/results {survey.id}")
        sheet = [m for m in out if m.get("document", {}).get("file_name", "").endswith(".xlsx")][0]
        content = env.fake.files[sheet["document"]["file_id"]][1]
        assert not formulas_in(content), formulas_in(content)
        from openpyxl import load_workbook

        texts = [c for ws in load_workbook(io.BytesIO(content)).worksheets
                 for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        assert "'=cmd|' /C calc'!A0" in texts or "'-3+4" in texts  # kept, as text

    async with env.db.session() as s:
        _, workbook = await report.workbook(s, env.ctx, None)
    assert not formulas_in(workbook), formulas_in(workbook)
    assert not formulas_in(tasks.template_xlsx("zh")) and not formulas_in(tasks.template_xlsx("en"))


def invitation_of(person, survey_id: int) -> dict:
    for message in reversed(person.messages):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            if any(b.get("callback_data", "").startswith(f"svy:{survey_id}:") for b in row):
                return message
    raise LookupError(survey_id)


async def task_count(env) -> int:
    async with env.db.session() as s:
        return (await s.execute(select(func.count(Task.id)))).scalar_one()


async def test_a_zip_bomb_sent_with_importtasks_is_refused_while_everyone_else_is_answered_at_once(env):
    c = await cast(env)
    bomb = xlsx_bomb(400_000)  # 3 MB that unpack to 31 MB and 400,000 rows
    assert len(bomb) < 5 * 1024 * 1024
    before = len(c.zhang.messages)
    await env.fake.send_document(c.zhang.id, "清单.xlsx", bomb, caption="/importtasks")
    # Meanwhile Wang asks for help. Measured where the fake Bot API receives the answer: one second is
    # generous (the old code parsed the sheet in the event loop, inside the transaction, for minutes).
    asked, seen = time.monotonic(), len(c.wang.messages)
    await env.fake.send_text(c.wang.id, "/help")
    while len(c.wang.messages) == seen:
        assert time.monotonic() - asked < 30, "no answer to /help"
        await asyncio.sleep(0.005)
    latency = time.monotonic() - asked
    await env.settle()
    assert latency < 1.0, f"/help took {latency:.2f} s while the bomb was read"
    [refusal] = c.zhang.messages[before:]
    assert "什么也没有改变" in refusal["text"] and "超过 20000 行的上限" in refusal["text"]
    assert await task_count(env) == 0


async def test_too_many_rows_too_many_bytes_or_not_a_spreadsheet_is_refused_naming_the_cap(env):
    c = await cast(env)
    rows = [f"T-{i},任务{i},生产部,,1002,2026-12-20," for i in range(20_001)]
    [reply] = await c.zhang.upload("清单.csv", sheet(*rows), caption="/importtasks")
    assert "超过 20000 行的上限" in reply["text"] and "什么也没有改变" in reply["text"]
    [reply] = await c.zhang.upload("清单.csv", b"task_no\n" + b"x" * (5 * 1024 * 1024), caption="/importtasks")
    assert "上限 5 MB" in reply["text"]
    [reply] = await c.zhang.upload("清单.xlsx", b"PK not really a zip", caption="/importtasks")
    assert "无法打开这个表格文件" in reply["text"]
    [reply] = await c.admin.upload("roster.xlsx", xlsx_bomb(10, dimension="A1:E5000000"), caption="/roster")
    assert "超过 20000 行的上限" in reply["text"]
    assert await task_count(env) == 0


@pytest.mark.parametrize("bomb, refusal", [
    (lambda: xlsx_bomb(1_000_000, gap=True), "file_rows"),          # one row at 1,000,000: the gap is filled in
    (lambda: xlsx_bomb(10, dimension="A1:E5000000"), "file_rows"),   # declared dimension
    (lambda: xlsx_bomb(10, dimension="A1:AAA20"), "file_columns"),
    (lambda: xlsx_bomb(30_000), "file_rows"),
])
def test_hostile_sheets_are_refused_before_they_are_read_whole(bomb, refusal):
    with pytest.raises(InvalidFile) as refused:
        tabular.raw_rows(bomb(), "x.xlsx")
    assert [p.code for p in refused.value.problems] == [refusal]


def test_the_unpacked_size_rows_and_cells_are_capped_as_configured():
    small = tabular.Limits(max_rows=100, max_unpacked=1024 * 1024, max_cells=150)
    with pytest.raises(InvalidFile) as refused:
        tabular.raw_rows(xlsx_bomb(30_000), "x.xlsx", small)
    assert refused.value.problems[0].code == "file_unpacked"
    with pytest.raises(InvalidFile) as refused:
        tabular.raw_rows(b"a,b\n" + b"1,2\n" * 100, "x.csv", small)
    assert refused.value.problems[0].code == "file_cells" and refused.value.problems[0].params == {"limit": 150}
    assert len(tabular.raw_rows(b"a,b\n" + b"1,2\n" * 70, "x.csv", small)) == 71


async def test_a_roster_of_ten_thousand_rows_is_imported_in_batches_and_again_as_updates(sqlite_url, ctx):
    await ten_thousand_twice(sqlite_url, ctx)


async def test_a_roster_of_ten_thousand_rows_is_imported_in_batches_on_postgresql(pg_url, ctx):
    await ten_thousand_twice(pg_url, ctx)


async def ten_thousand_twice(url: str, ctx) -> None:
    from storage import roster
    from storage.db import Database
    from storage.models.org import Invite, Member

    db = Database(url)
    lines = ["工号,姓名,部门,支部,党员"] + [f"{50000 + i},员工{i},厂区{i % 3}/车间{i % 20},第{i % 9}支部,是"
                                          for i in range(10_000)]
    data = "\n".join(lines).encode("utf-8-sig")
    try:
        async with db.session() as s:
            first = await roster.apply(s, ctx, roster.check(data, "r.csv", tabular.ROSTER_CLI))
        async with db.session() as s:
            again = await roster.apply(s, ctx, roster.check(data, "r.csv", tabular.ROSTER_CLI))
        async with db.session() as s:
            members = (await s.execute(select(func.count(Member.id)))).scalar_one()
            live = (await s.execute(select(func.count(Invite.id)).where(Invite.revoked.is_(False)))).scalar_one()
    finally:
        await db.dispose()
    assert (first.created, first.updated, len(first.invitations)) == (10_000, 0, 10_000)
    assert (again.created, again.updated, len(again.invitations)) == (0, 10_000, 10_000)
    assert members == 10_000 and live == 10_000  # a fresh code each, the earlier ones revoked


async def test_two_offices_under_different_plants_stay_two_units_in_imports_audiences_and_reports(env):
    from storage import audiences, report
    from storage.errors import Refused
    from storage.models.org import Member, Unit
    from tests.support.botenv import DEMO_ROSTER

    await env.import_roster(DEMO_ROSTER + "3001,一厂文员,一厂/办公室,,否,\n3002,二厂文员,二厂/办公室,,否,\n")
    zhang = await env.join(101, "张伟", "1001")
    async with env.db.session() as s:
        offices = dict((await s.execute(select(Unit.path, Unit.id).where(Unit.name == "办公室"))).all())
        filed = dict((await s.execute(select(Member.employee_no, Member.unit_id)
                                      .where(Member.employee_no.in_(["3001", "3002"])))).all())
        assert set(offices) == {"办公室", "一厂/办公室", "二厂/办公室"}
        assert filed == {"3001": offices["一厂/办公室"], "3002": offices["二厂/办公室"]}
        assert [m.employee_no for m in await audiences.members(s, "unit:二厂/办公室")] == ["3002"]
        assert await audiences.validate(s, "unit:二厂 / 办公室") == "unit:二厂/办公室"
        with pytest.raises(Refused) as refused:
            await audiences.validate(s, "unit:办公室")
        assert refused.value.template == "unit_ambiguous"
        assert refused.value.params["candidates"] == ["一厂/办公室", "二厂/办公室", "办公室"]
        _, workbook = await report.workbook(s, env.ctx, None)
    from openpyxl import load_workbook

    shown = [r[1] for r in load_workbook(io.BytesIO(workbook))["单位"].iter_rows(min_row=2, values_only=True)]
    assert "一厂/办公室" in shown and "二厂/办公室" in shown

    reply = (await zhang.upload("清单.csv", sheet("T-1,安全培训,生产部,办公室,1002,2026-12-20,"),
                                caption="/importtasks"))[-1]["text"]
    assert "什么也没有改变" in reply and "“办公室”有多个同名单位：一厂/办公室、二厂/办公室、办公室" in reply
    assert await task_count(env) == 0
    reply = (await zhang.upload("清单.csv", sheet("T-1,安全培训,生产部,二厂/办公室,1002,2026-12-20,"),
                                caption="/importtasks"))[-1]["text"]
    assert "新增 1 项" in reply
