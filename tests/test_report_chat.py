"""/report and the /kpi pictures in chat, and `report --format html` on the command line, as people use them:
张伟 (secretary of 生产部) gets his units' report as a document, the admin the whole organisation's, 王芳 is
refused and nothing changes; /kpi arrives with its two pictures before the board."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from messages import render
from tests.support.botenv import DEMO_ROSTER
from tests.support.refusals import snapshot
from tests.test_kpi_figures import seed


def document(env, message) -> tuple[str, bytes]:
    return env.fake.files[message["document"]["file_id"]]


async def test_a_secretary_gets_their_units_report_as_a_document_and_a_member_is_refused(env, clock):
    await seed(env, clock)
    zhang, wang, admin = env.person(701, "张伟"), env.person(702, "王芳"), env.admin()

    replies = await zhang.send("/report 2026-12")
    assert len(replies) == 1 and "document" in replies[0]
    name, content = document(env, replies[0])
    assert name == "运行诊断报告-2026-12.xlsx" and "您负责的单位" in replies[0]["caption"]
    book = load_workbook(io.BytesIO(content))
    assert sorted(r[1] for r in book["单位"].iter_rows(min_row=2, values_only=True)) == ["生产部", "第一支部"]

    whole = await admin.send("/report 2026-12")
    name, content = document(env, whole[-1])
    units = [r[1] for r in load_workbook(io.BytesIO(content))["单位"].iter_rows(min_row=2, values_only=True)]
    assert {"生产部", "财务部", "办公室", "第一支部", "第二支部"} <= set(units) and "全公司" in whole[-1]["caption"]

    before = await snapshot(env.db)
    assert await wang.say("/report 2026-12") == render("zh", "not_allowed")
    assert await snapshot(env.db) == before
    assert "不是月份" in await zhang.say("/report 十二月")


async def test_an_empty_month_in_chat_is_a_report_with_a_note(env, clock):
    await seed(env, clock)
    replies = await env.person(701, "张伟").send("/report 2026-06")
    _, content = document(env, replies[-1])
    texts = [r[0] for r in load_workbook(io.BytesIO(content))["汇总"].iter_rows(values_only=True) if r[0]]
    assert any(str(t).startswith("本期（2026-06）没有可统计的活动") for t in texts)


async def test_the_kpi_board_comes_with_the_trend_and_the_units_pictures(env, clock):
    await seed(env, clock)
    replies = await env.person(701, "张伟").send("/kpi 2026-12")
    photos = [m for m in replies if "photo" in m]
    assert len(photos) == 2 and replies.index(photos[-1]) < len(replies) - 1  # the board's text comes last
    for photo in photos:
        assert env.fake.files[photo["photo"][-1]["file_id"]][1].startswith(b"\x89PNG")
    assert "近六期走势" in photos[0]["caption"] and "各单位对比" in photos[1]["caption"]
    if "图中编号" in photos[1]["caption"]:  # no CJK font on this machine: the units are numbered, keyed here
        assert "生产部" in photos[1]["caption"] and "财务部" not in photos[1]["caption"]  # 张伟's units only
    assert "2026-12" in replies[-1]["text"]


def test_report_on_the_command_line_as_html_in_chinese_or_english_and_the_xlsx_contract(tmp_path, run):
    (tmp_path / "roster.csv").write_text(DEMO_ROSTER, encoding="utf-8")
    assert run(tmp_path, "roster", "import", str(tmp_path / "roster.csv")).returncode == 0
    out = run(tmp_path, "report", "--period", "2026-12", "--format", "html", "--out", str(tmp_path / "r.html"))
    assert out.returncode == 0, out.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "运行诊断报告 2026-12" in page and "本期（2026-12）没有可统计的活动" in page
    assert page.count('src="data:image/png;base64,') == 2
    out = run(tmp_path, "report", "--period", "2026-12", "--format", "html", "--lang", "en",
              "--out", str(tmp_path / "en.html"))
    assert out.returncode == 0 and "Diagnostic report 2026-12" in (tmp_path / "en.html").read_text(encoding="utf-8")
    out = run(tmp_path, "report", "--period", "2026-12", "--out", str(tmp_path / "r.xlsx"))
    assert out.returncode == 0 and load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "汇总"
    out = run(tmp_path, "report", "--format", "html", "--out", str(tmp_path / "r.xlsx"))
    assert out.returncode == 2 and "must end with .html" in out.stderr
