"""`python -m bot feedback config` as an operator uses it: show the settings, change them, get a one-line
reason and no change on bad input; and the bot in the chat follows what was configured."""
from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys

import pytest
from sqlalchemy import select

from storage.feedback import FeedbackTicket
from tests.support.botenv import DEMO_ROSTER
from tests.support.feedback import ticket_in

ROSTER = "工号,姓名,部门,支部,党员,角色\n1001,张伟,生产部,第一支部,是,书记\n1004,刘洋,财务部,第二支部,是,书记\n"


@pytest.fixture
def cli(run_cli, tmp_path):
    """The command line on a migrated SQLite with the organisation imported."""
    run = run_cli
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8-sig")
    assert run("roster", "import", str(roster))[0] == 0
    return run


def stored(sqlite_url: str) -> dict | None:
    with sqlite3.connect(sqlite_url.split("///", 1)[1]) as conn:
        row = conn.execute("SELECT value FROM settings WHERE key = 'feedback.config'").fetchone()
    return None if row is None else json.loads(row[0])


def test_show_change_and_reset_the_settings(cli, sqlite_url):
    code, out, _ = cli("feedback", "config")
    assert code == 0 and stored(sqlite_url) is None  # showing changes nothing
    assert "hardship (困难帮扶 / Hardship and help) -> the admins" in out
    assert "daily limit: 5" in out and "reply deadline: 3 working days" in out and "30 days" in out

    code, out, err = cli("feedback", "config", "--route", "hardship=生产部,财务部", "--route", "dispute=财务部",
                         "--daily-limit", "2", "--reply-deadline-days", "5", "--retention-days", "60",
                         "--office-name", "工会办公室", "--office-name-en", "Union Office",
                         "--categories", "work,hardship,dispute,canteen", "--label", "canteen=食堂",
                         "--label", "canteen:en=Canteen", "--label", "work=生产经营")
    assert code == 0, err
    assert "feedback settings saved" in out
    assert "hardship (困难帮扶 / Hardship and help) -> 生产部, 财务部" in out
    assert "canteen (食堂 / Canteen) -> the admins" in out
    assert "work (生产经营 / Work and production)" in out  # a Chinese rename keeps the English built-in name
    assert "daily limit: 2" in out and "reply deadline: 5 working days" in out and "60 days" in out
    assert "工会办公室 / Union Office" in out
    assert "suggestion" not in out  # dropped with its category, PDCA exemption included
    cfg = stored(sqlite_url)
    assert cfg["routing"] == {"hardship": ["生产部", "财务部"], "dispute": ["财务部"]}
    assert (cfg["daily_limit"], cfg["reply_deadline_days"], cfg["route_retention_days"]) == (2, 5, 60)
    assert cfg["pdca_optional"] == [] and cfg["categories"] == ["work", "hardship", "dispute", "canteen"]

    # An empty value puts one entry back to its default and leaves the rest alone.
    code, out, _ = cli("feedback", "config", "--route", "dispute=", "--office-name-en", "")
    assert code == 0 and "dispute (矛盾纠纷 / Dispute) -> the admins" in out
    assert "工会办公室 / 工会办公室" in out and stored(sqlite_url)["routing"] == {"hardship": ["生产部", "财务部"]}

    code, out, _ = cli("feedback", "config", "--reset", "--daily-limit", "4")
    assert code == 0 and stored(sqlite_url) == {"daily_limit": 4}
    assert "other (其他 / Other) -> the admins" in out and "党群工作部" in out
    with sqlite3.connect(sqlite_url.split("///", 1)[1]) as conn:
        audited = conn.execute("SELECT count(*), max(actor_member_id) FROM audit_events "
                               "WHERE action = 'feedback.config_changed'").fetchone()
    assert audited == (3, None)


# Twelve categories with the longest names in both languages do not fit the settings row.
TOO_MUCH = ["--categories", ",".join(f"category_{n:02d}" for n in range(12))] + [
    arg for n in range(12) for arg in ("--label", f"category_{n:02d}={'名' * 32}",
                                       "--label", f"category_{n:02d}:en={'N' * 32}")]


@pytest.mark.parametrize("args, reason", [
    (["--route", "hardship=生产部,没有这个部门"], "没有这个部门"),
    (["--route", "gossip=生产部"], "没有类别“gossip”"),
    (["--route", "hardship"], "expected KEY=VALUE"),
    (["--route", "hardship=生产部", "--route", "hardship=财务部"], "given twice"),
    (["--daily-limit", "0"], "每人每天工单上限"),
    (["--reply-deadline-days", "31"], "首次答复期限"),
    (["--retention-days", "0"], "答复通道保留天数"),
    (["--min-unit-size", "4"], "5 到"),  # the anonymity floor cannot be lowered
    (["--categories", "work,Safety!"], "类别代码"),
    (["--categories", "work,work"], "重复"),
    (["--categories", ""], "类别数量"),
    (["--categories", "work,canteen"], "需要一个中文名称"),
    (["--categories", "work", "--route", "hardship=生产部"], "没有类别“hardship”"),
    (["--label", "canteen:fr=Cantine"], "zh or en"),
    (["--label", "work=" + "长" * 40], "最多 32"),
    (["--pdca-optional", "gossip"], "没有类别“gossip”"),
    (["--office-name", "党群\n工作部"], "办公室名称"),
    (TOO_MUCH, "存不下"),
])
def test_bad_input_is_refused_in_one_line_and_changes_nothing(cli, sqlite_url, args, reason):
    assert cli("feedback", "config", "--daily-limit", "3")[0] == 0
    before = stored(sqlite_url)
    code, out, err = cli("feedback", "config", *args)
    assert code == 2 and reason in err, err
    assert err.strip().count("\n") == 0 and "saved" not in out
    assert stored(sqlite_url) == before


async def test_the_bot_follows_what_the_operator_configured(env, clock, sqlite_url, tmp_path):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")   # secretary of 生产部
    liu = await env.join(104, "刘洋", "1004")     # secretary of 财务部
    wang = await env.join(102, "王芳", "1002")
    emily = await env.join(107, "Emily", "1007", lang="en")

    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "TONGXIN_"))}
    environ.update(DATABASE_URL=sqlite_url, TONGXIN_DATA_DIR=str(tmp_path / "cli"), LANG="C.UTF-8")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "feedback", "config", "--categories", "hardship,canteen,other",
        "--label", "canteen=食堂&后勤", "--label", "canteen:en=Canteen", "--route", "hardship=财务部",
        "--daily-limit", "1", "--reply-deadline-days", "1", "--office-name", "工会办公室",
        env=environ, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()

    await wang.send("/feedback")
    buttons = [b["text"] for row in wang.last["reply_markup"]["inline_keyboard"] for b in row]
    assert "食堂&后勤" in buttons and "困难帮扶" in buttons and "安全隐患" not in buttons
    assert "最多提交 1 条" in wang.last["text"]
    await wang.press("困难帮扶")
    await wang.send("家里有困难，想申请补助。")
    ticket = ticket_in((await wang.press("匿名提交")).text)
    assert "今天已经提交了 1 条" in await wang.say("/feedback")

    await env.tick()
    assert any(f"新工单 #{ticket}" in t for t in liu.texts())          # routed to 财务部
    assert not any(f"#{ticket}" in t for t in zhang.texts())           # not to 生产部
    assert "2026-12-04" in liu.last["text"]                            # one working day to reply
    assert ticket not in await zhang.say("/inbox")

    await liu.press("查看")
    await liu.press("答复", liu.find("标记已答复"))
    await liu.say("请带上证明到工会办理。")
    await env.tick()
    assert "工会办公室" in wang.last["text"] and "党群工作部" not in wang.last["text"]

    await emily.send("/feedback")
    assert "Canteen" in [b["text"] for row in emily.last["reply_markup"]["inline_keyboard"] for b in row]
    await emily.press("Canteen")
    await emily.send("More vegetables, please.")
    canteen = ticket_in((await emily.press("Submit anonymously")).text)
    await env.tick()
    admin_view = await liu.say("/inbox")
    assert canteen not in admin_view  # canteen routes to the admins, not to 财务部
    async with env.db.session() as s:
        row = (await s.execute(select(FeedbackTicket).where(FeedbackTicket.id == canteen))).scalar_one()
        assert row.category == "canteen"
    listing = await wang.say("/mytickets")
    assert "困难帮扶" in listing
