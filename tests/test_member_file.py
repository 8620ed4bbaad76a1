"""一人一档: 张伟 (secretary of 生产部 / 第一支部) reads 王芳's file for the year with /member, an admin too (with
the deactivate button), 王芳 reads her own with /me; 刘洋 (财务部) is refused; the CLI exports 生产部's files.
Nothing anonymous — tickets or survey answers seeded with a secret phrase — reaches any of them."""
from __future__ import annotations

import asyncio
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from storage.feedback import FeedbackTicket
from tests.support.memberfile import SECRET_ANSWER, SECRET_TICKET, SIGNED, seed_year
from tests.support.botenv import DEMO_ROSTER
from tests.support.phone import MORE
from tests.support.refusals import refusal, snapshot
from tests.support.tasks import cast


def _clean(text: str) -> None:
    assert SECRET_TICKET not in text and SECRET_ANSWER not in text and "匿名提交" not in text


async def test_a_secretary_reads_the_file_of_a_member_of_their_unit(env):
    c = await cast(env)
    await seed_year(env, c)
    card = (await c.zhang.send("/member 1002"))[-1]
    text = card["text"]
    assert "王芳" in text and "2026 年档案" in text
    assert "已学 1 课，测验 1 次，平均 67.0 分；积分本年 9 分，累计 9 分" in text
    assert "学习党章：党员的义务" in text and "测验 67%" in text
    assert "完成 1 份（只计份数，不含答案）" in text
    assert "负责 2 项，已到期 1 项，按时完成 1 项，按时完成率 100%" in text
    assert "[T-1] 安全培训" in text and "[T-2] 整理台账" in text
    assert "预约 1 次" in text and "赵磊：班组排班（已预约，当场解决）" in text
    assert "署名反映：1 件" in text and "意见建议" in text
    assert "本档案不含任何匿名内容" in text
    assert not card.get("reply_markup")  # a secretary reads; only admins deactivate
    _clean(text)
    async with env.db.session() as s:  # the anonymous ones are there, and were left out
        anonymous = (await s.execute(select(func.count()).select_from(FeedbackTicket)
                                     .where(FeedbackTicket.anonymous.is_(True)))).scalar_one()
    assert anonymous == 2


async def test_an_admin_reads_the_file_and_keeps_the_deactivate_button(env):
    c = await cast(env)
    await seed_year(env, c)
    card = (await c.admin.send("/member 1002"))[-1]
    assert "署名反映：1 件" in card["text"] and "按时完成率 100%" in card["text"]
    assert c.admin.find("停用")
    _clean(card["text"])


async def test_a_secretary_of_another_unit_is_refused_and_nothing_changes(env):
    c = await cast(env)
    await seed_year(env, c)
    state = await snapshot(env.db)
    assert await c.liu.say("/member 1002") == refusal("zh", "member_not_found", no="1002")
    assert await c.liu.say("/member 王芳") == refusal("zh", "member_not_found", no="王芳")
    assert await c.wang.say("/member 1003") == refusal("zh", "not_allowed")
    assert await snapshot(env.db) == state


async def test_a_name_finds_the_member_and_several_are_offered_as_buttons(env):
    c = await cast(env)
    await env.import_roster(DEMO_ROSTER + MORE)
    card = await c.zhang.say("/member 芳")  # only 王芳 in his units
    assert "王芳" in card and "2026 年档案" in card
    assert "王芳" in await c.zhang.say("/member 王")  # 王磊 and 王静 are not his to see
    offered = (await c.admin.send("/member 王"))[-1]
    labels = [b["text"] for row in offered["reply_markup"]["inline_keyboard"] for b in row]
    assert len(labels) == 3 and any("王静" in label for label in labels)
    pressed = await c.admin.press("王静")
    assert "王静" in pressed.text and "办公室" in pressed.text and "2026 年档案" in pressed.text
    data = next(b["callback_data"] for row in offered["reply_markup"]["inline_keyboard"] for b in row
                if "王静" in b["text"])
    state = await snapshot(env.db)
    forged = await c.zhang.press_data(data)  # 王静 is not in his units
    assert forged.toast == refusal("zh", "button_expired")
    assert await snapshot(env.db) == state


async def test_a_member_reads_their_own_file_with_me(env):
    c = await cast(env)
    await seed_year(env, c)
    mine = (await c.wang.send("/me"))[-1]["text"]
    assert "我的档案" in mine and "王芳" in mine and "已学 1 课" in mine and "署名反映：1 件" in mine
    assert "您的姓名不在榜上显示" in mine
    _clean(mine)
    li = (await c.li.send("/me"))[-1]["text"]
    assert "李强" in li and "已学 0 课" in li and "署名反映：0 件" in li


async def test_the_export_writes_one_row_and_one_sheet_per_member_and_nothing_anonymous(env, run_cli, tmp_path):
    c = await cast(env)
    await seed_year(env, c)
    out = tmp_path / "一人一档.xlsx"
    code, stdout, _ = await asyncio.to_thread(run_cli, "member", "export", "--unit", "生产部", "--year", "2026",
                                             "--out", str(out))
    assert code == 0 and "3 members" in stdout
    book = load_workbook(io.BytesIO(out.read_bytes()))
    summary = book.worksheets[0]
    assert summary.title == "一人一档汇总"
    assert "不含任何匿名内容" in summary["A1"].value
    headers = [cell.value for cell in summary[2]]
    assert headers[:4] == ["工号", "姓名", "部门", "支部"] and "按时完成率" in headers and "署名反映（件）" in headers
    rows = {row[0]: dict(zip(headers, row)) for row in summary.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {"1001", "1002", "1003"}
    wang = rows["1002"]
    assert (wang["已学微党课（课）"], wang["本年积分"], wang["完成问卷（份）"], wang["负责任务（项）"],
            wang["按时完成率"], wang["接待日预约（次）"], wang["署名反映（件）"]) == (1, 9, 1, 2, 1, 1, 1)
    assert [ws.title for ws in book.worksheets[1:]] == ["1001 张伟", "1002 王芳", "1003 李强"]
    everything = "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                           for v in row if v is not None)
    assert "安全培训" in everything and "当场解决" in everything and "是" in everything
    # On time: yes for T-2 (done in time); T-1 is not due yet, so neither yes nor no.
    tasks = {row[0]: row for row in book["1002 王芳"].iter_rows(values_only=True) if row[0] in ("T-1", "T-2")}
    assert tasks["T-2"][4] == "是" and tasks["T-1"][4] == "未到期"
    _clean(everything)
    assert SIGNED not in everything  # a signed ticket is listed by category and status, not its words


async def test_the_export_refuses_an_unknown_unit_and_writes_nothing(env, run_cli, tmp_path):
    await cast(env)
    out = tmp_path / "x.xlsx"
    code, _, err = await asyncio.to_thread(run_cli, "member", "export", "--unit", "研发部", "--out", str(out))
    assert code != 0 and "研发部" in err and not out.exists()


async def test_no_anonymous_ticket_or_survey_answer_reaches_any_member_file(env, run_cli, tmp_path):
    """Checked against the database: every anonymous ticket (its number and its words) and every survey
    answer written in words is looked for in every member's file, as read in chat and as exported."""
    from storage import memberfile
    from storage.models.org import Member
    from storage.surveys import SurveyAnswer

    c = await cast(env)
    await seed_year(env, c)
    async with env.db.session() as s:
        anonymous = (await s.execute(select(FeedbackTicket.id, FeedbackTicket.text)
                                     .where(FeedbackTicket.anonymous.is_(True)))).all()
        signed = (await s.execute(select(FeedbackTicket.id).where(FeedbackTicket.anonymous.is_(False)))).scalar_one()
        answers = list((await s.execute(select(SurveyAnswer.text).where(SurveyAnswer.text.is_not(None)))).scalars())
        people = list((await s.execute(select(Member).order_by(Member.employee_no))).scalars())
        files = [repr(await memberfile.build(s, env.ctx, m, "zh", limit=None)) for m in people]
    assert len(anonymous) == 2 and answers == [SECRET_ANSWER]
    read = [(await c.admin.send(f"/member {m.employee_no}"))[-1]["text"] for m in people if m.employee_no]
    read += [(await p.send("/me"))[-1]["text"] for p in (c.zhang, c.wang, c.li, c.liu)]
    for unit in ("生产部", "财务部", "办公室"):
        out = tmp_path / f"{unit}.xlsx"
        code, _, err = await asyncio.to_thread(run_cli, "member", "export", "--unit", unit, "--year", "2026",
                                               "--out", str(out))
        assert code == 0, err
        book = load_workbook(io.BytesIO(out.read_bytes()))
        read.append("\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                              for v in row if v is not None))
    everything = "\n".join(files + read)
    for ticket_id, text in anonymous:
        assert ticket_id not in everything and text not in everything
    for text in answers:
        assert text not in everything
    assert signed in everything  # the signed one is there: the search would have found a match
