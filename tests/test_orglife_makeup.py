"""Make-up study (补学) and the host's attendance corrections, as hosts, secretaries and members meet them."""
from __future__ import annotations

import sqlite3
from datetime import date, time

import pytest
from sqlalchemy import select, update

from storage import calendar, lessons, members, orglife
from storage.lessons import LessonAssignment
from storage.models.outbox import Outbox
from storage.models.audit import AuditEvent
from storage.orglife import Attendance
from tests.support.orglife import BRANCH_OF_FOUR, DAY, card_button, four_members, local, makeup_of, plan, present
from tests.support.refusals import refusal, snapshot


async def _held(env, clock, zhang, wang):
    """The meeting of 2026-12-15 14:30: 王芳 on leave, 张伟 (the host) checks in; returns it and the code."""
    meeting = await plan(env, host="1001")
    await env.tick()
    await wang.press("请假")
    await wang.say("出差在外地")
    clock.set(local(DAY, 14, 30))
    await zhang.press("显示签到码")
    code = zhang.texts()[-1].split("当前签到码：")[1].split()[0]
    assert "签到成功" in await zhang.say(f"/checkin {code}")
    return meeting, code


async def test_make_up_goes_only_to_those_who_missed_and_counts_once_learned(env, clock, tmp_path):
    zhang, wang, sun, zhou = await four_members(env)
    meeting, code = await _held(env, clock, zhang, wang)
    assert "签到成功" in await zhou.say(f"/checkin {code}")

    clock.set(local(DAY, 17, 0))  # the meeting ended at 16:30
    await zhang.press("会议记录")
    assert "已收到党员大会" in await zhang.say("一、学习全会精神原文；二、交流学习体会。")
    assert await makeup_of(env, meeting) == [("1002", False), ("1008", False)]
    await env.tick()
    for person in (wang, sun):
        notice = [t for t in person.texts() if "【补学通知】" in t]
        assert len(notice) == 1 and "党员大会“学习全会精神”" in notice[0] and "2026-12-29 前完成补学" in notice[0]
        assert any("一、学习全会精神原文" in t for t in person.texts())
    assert not any("补学" in t for t in zhang.texts() + zhou.texts())

    clock.set(local(DAY, 18, 0))
    press = await wang.press("已学习")
    assert "已学习《党员大会·学习全会精神》" in press.text or "已记录为已学习" in press.toast
    assert await makeup_of(env, meeting) == [("1002", True), ("1008", False)]
    assert "党员大会：已开 1/4，出席率 50%，补学 1/2" in await zhang.say("/orglife")

    async with env.db.session() as s:
        data = await orglife.ledger(s, env.ctx, "第一支部", 2026)
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(data)
    from openpyxl import load_workbook
    row = [c.value for c in list(load_workbook(path)["党员大会"].iter_rows())[1]]
    # invited 4, present 2 (张伟, 周杰), on leave 1 (王芳), absent 1 (孙丽), made up 1 (王芳 learned).
    assert row[:9] == ["党员大会", "2026-12-15 14:30", "学习全会精神", "张伟", 4, 2, 1, 1, 1]


async def test_minutes_sent_as_a_document_reach_those_who_missed_it_as_the_file_itself(env, clock):
    zhang, wang, sun, zhou = await four_members(env)
    meeting, code = await _held(env, clock, zhang, wang)
    await zhou.say(f"/checkin {code}")
    clock.set(local(DAY, 17, 0))
    await zhang.press("会议记录")
    recorded = await zhang.upload("党员大会记录.docx", b"PK minutes of the meeting")
    assert "已收到党员大会" in recorded[-1]["text"]
    async with env.db.session() as s:
        file_id = (await s.get(orglife.Meeting, meeting)).minutes_file_id
    assert file_id and await makeup_of(env, meeting) == [("1002", False), ("1008", False)]
    await env.tick()
    async with env.db.session() as s:  # 周杰 checked in and left at once: he joins the make-up, file and all
        host = await members.by_employee_no(s, "1001")
        await orglife.correct(s, env.ctx, host, meeting, "1009", "缺席")
    await env.tick()
    for person in (wang, sun, zhou):
        at = next(i for i, m in enumerate(person.messages) if "【补学通知】" in (m.get("text") or ""))
        notice, lesson, document = person.messages[at:at + 3]
        assert "会议记录为文件《党员大会记录.docx》，紧随课程之后发给您。" in notice["text"]
        assert "📎 党员大会记录.docx" in lesson["text"] and "已学习" in str(lesson.get("reply_markup"))
        assert document["document"]["file_id"] == file_id  # the host's own file, re-sent by its id
        assert document["document"]["file_name"] == "党员大会记录.docx"
        assert document["caption"] == "📎 党员大会“学习全会精神”的会议记录：党员大会记录.docx"
    assert env.fake.files[file_id][1] == b"PK minutes of the meeting"
    assert not any("补学" in (m.get("text") or m.get("caption") or "") for m in zhang.messages)  # he was there


async def test_minutes_sent_during_the_meeting_assign_the_make_up_once_it_has_ended(env, clock):
    zhang, wang, sun, zhou = await four_members(env)
    meeting, _ = await _held(env, clock, zhang, wang)
    clock.set(local(DAY, 15, 30))
    await zhang.press("会议记录")
    await zhang.say("会议纪要")
    await env.tick()
    assert await makeup_of(env, meeting) == []  # still under way: who missed it is not settled
    clock.set(local(DAY, 16, 31))
    await env.tick()
    await env.tick()
    assert await makeup_of(env, meeting) == [("1002", False), ("1008", False), ("1009", False)]
    assert sum("【补学通知】" in t for t in sun.texts()) == 1


async def test_the_host_corrects_attendance_on_the_card_recorded_with_who_and_when_and_the_make_up_follows(
        env, clock):
    zhang, wang, sun, zhou = await four_members(env)
    meeting, code = await _held(env, clock, zhang, wang)
    before = await snapshot(env.db)
    press = await wang.press_data(f"olm:{meeting}:roll")  # not the host, not a secretary
    assert press.toast == refusal("zh", "not_allowed")
    assert await snapshot(env.db) == before

    clock.set(local(DAY, 17, 0))
    await zhang.press("会议记录")
    await zhang.say("会议纪要")
    assert await makeup_of(env, meeting) == [("1002", False), ("1008", False), ("1009", False)]

    clock.set(local(DAY, 17, 10))
    press = await zhang.press("更正出勤")
    card = press.new[-1]
    assert "【出勤更正】" in card["text"] and "应到 4 人，出席 1 人，请假 1 人，缺席 2 人" in card["text"]
    assert "● 张伟 出席" in str(card["reply_markup"])
    press = await zhang.press_data(card_button(card, "周杰", "出席"), card)  # 周杰 came without checking in
    assert press.toast == "已将周杰改为出席。"
    assert "出席 2 人" in press.text
    press = await zhang.press_data(card_button(card, "孙丽", "请假"), card)  # 孙丽 had asked the host in person
    assert "出席 2 人，请假 2 人，缺席 0 人" in press.text
    assert await present(env, meeting) == [("1001", True, "code"), ("1008", False, "host"), ("1009", True, "host")]
    assert await makeup_of(env, meeting) == [("1002", False), ("1008", False)]  # 周杰 was there after all

    async with env.db.session() as s:
        host = await members.by_employee_no(s, "1001")
        rows = (await s.execute(select(Attendance).where(Attendance.corrected_by.is_not(None)))).scalars().all()
        events = (await s.execute(select(AuditEvent).where(AuditEvent.action == "orglife.attendance")
                                  .order_by(AuditEvent.id))).scalars().all()
    assert {(r.corrected_by, r.corrected_at) for r in rows} == {(host.id, local(DAY, 17, 10))}
    assert [(e.actor_member_id, e.detail["member"], e.detail["before"], e.detail["after"]) for e in events] == [
        (host.id, "1009", "absent", "present"), (host.id, "1008", "absent", "leave")]

    # A forged press for someone outside the meeting, and a member pressing the host's card, change nothing.
    before = await snapshot(env.db)
    async with env.db.session() as s:
        li = await members.by_employee_no(s, "1003")
    press = await zhang.press_data(f"olm:{meeting}:s{li.id}.p.0", card)
    assert press.toast == refusal("zh", "orglife_not_invited")
    press = await wang.press_data(card_button(card, "孙丽", "缺席"), card)
    assert press.toast == refusal("zh", "not_allowed")
    assert await snapshot(env.db) == before


async def test_a_correction_before_the_start_is_refused_on_the_card(env, clock):
    zhang, wang, sun, zhou = await four_members(env)
    meeting = await plan(env, host="1001")
    await env.tick()
    before = await snapshot(env.db)
    press = await zhang.press("更正出勤")
    assert press.toast == refusal("zh", "orglife_not_started")
    assert await snapshot(env.db) == before


async def test_orglife_names_a_branch_for_admins_and_secretaries_only_see_their_own(env, clock):
    zhang, wang, sun, zhou = await four_members(env)
    liu = await env.join(401, "刘洋", "1004")
    await plan(env, branch="第二支部", kind="主题党日", at="2026-12-18 09:00", host="1004")
    admin = env.admin()
    await admin.send("/help")
    clock.set(local(date(2026, 12, 20), 9))
    assert "第二支部2026年组织生活一览" in await admin.say("/orglife 第二支部")
    press = await admin.press("第一支部", (await admin.send("/orglife"))[-1])
    assert "第一支部2026年组织生活一览" in press.text
    assert "第二支部2026年组织生活一览" in await liu.say("/orglife")
    assert await liu.say("/orglife 第一支部") == refusal("zh", "orglife_not_your_branch_view", branch="第一支部")
    assert "第九支部" in await admin.say("/orglife 第九支部")
    async with env.db.session() as s:
        first = (await orglife.branch_named(s, "第一支部")).id
    press = await liu.press_data(f"olm:year:{first}")
    assert press.toast == refusal("zh", "button_expired")


async def test_kpi_figures_for_make_up_and_minutes_on_time_by_hand(env, clock):
    zhang, wang, sun, zhou = await four_members(env)
    first, code = await _held(env, clock, zhang, wang)  # 12-15: minutes due by 12-18
    second = await plan(env, kind="党课", at="2026-12-16 09:00", topic="党史")  # 张伟 alone checks in
    third = await plan(env, kind="主题党日", at="2026-12-22 09:00", topic="参观")  # no minutes yet, due 12-25
    await env.tick()
    clock.set(local(date(2026, 12, 16), 9, 10))
    await zhang.press("显示签到码", [m for m in zhang.messages if "党课通知" in (m.get("text") or "")][0])
    code = zhang.texts()[-1].split("当前签到码：")[1].split()[0]
    await zhang.say(f"/checkin {code}")
    clock.set(local(date(2026, 12, 17), 10))
    async with env.db.session() as s:
        host = await members.by_employee_no(s, "1001")
        await orglife.record_minutes(s, env.ctx, host, first, text="纪要一")  # on time: 3 absent get make-up
    clock.set(local(date(2026, 12, 20), 10))
    async with env.db.session() as s:
        host = await members.by_employee_no(s, "1001")
        await orglife.record_minutes(s, env.ctx, host, second, text="纪要二")  # late (due 12-19): 3 more
    async with env.db.session() as s:
        assignments = (await s.execute(select(orglife.Meeting.makeup_lesson_id).where(
            orglife.Meeting.id == first))).scalar_one()
    await env.tick()
    clock.set(local(date(2026, 12, 20), 12))
    await sun.press("已学习", [m for m in sun.messages if "纪要一" in (m.get("text") or "")][-1])
    await zhou.press("已学习", [m for m in zhou.messages if "纪要二" in (m.get("text") or "")][-1])
    assert assignments is not None
    clock.set(local(date(2026, 12, 23), 10))  # the third was held yesterday; its minutes are not due yet
    start = calendar.at_local(date(2026, 12, 1), time(0), env.ctx)
    end = calendar.at_local(date(2027, 1, 1), time(0), env.ctx)
    async with env.db.session() as s:
        f = await orglife.kpi_figures(s, env.ctx, unit_ids=None, start=start, end=end)
    # Held: three meetings of 4 invited each; present 1 (first: 张伟), 1 (second: 张伟), 0 (third).
    assert (f["meetings_held"], f["invited"], f["present"]) == (3, 12, 2)
    assert f["attendance_rate"] == pytest.approx(2 / 12)
    # Make-up: 3 + 3 assigned (王芳, 孙丽, 周杰 each time), 2 learned.
    assert (f["makeup_assigned"], f["makeup_done"]) == (6, 2) and f["makeup_rate"] == pytest.approx(2 / 6)
    # Minutes: the first on time, the second late, the third not due yet.
    assert (f["minutes_due"], f["minutes_on_time"]) == (2, 1) and f["minutes_on_time_rate"] == pytest.approx(0.5)
    assert third
    board = await env.admin().say("/kpi 2026-12")
    assert "组织生活" in board
    assert "补学 6 人次，已完成 2，完成率 33%" in board and "会议记录按时率 50%（到期 2，按时 1）" in board


def _planned_by_cli(run_cli, tmp_path) -> str:
    """The branch of four imported and a 党课 in 2030 planned from the command line; its id."""
    roster = tmp_path / "roster.csv"
    roster.write_text(BRANCH_OF_FOUR, encoding="utf-8")
    assert run_cli("roster", "import", str(roster))[0] == 0
    code, out, _ = run_cli("meetings", "add", "--branch", "第一支部", "--kind", "党课", "--at", "2030-01-05 09:00",
                           "--place", "会议室", "--topic", "党史", "--host", "1001")
    assert code == 0
    return out.split()[1].rstrip(":")


def _took_place(sqlite_url: str) -> None:
    """Move the meetings back to 2020: they took place (the CLI runs on the real clock)."""
    with sqlite3.connect(sqlite_url.split("///", 1)[1]) as conn:
        conn.execute("UPDATE orglife_meetings SET starts_at = replace(starts_at, '2030', '2020'), "
                     "ends_at = replace(ends_at, '2030', '2020')")


def test_meetings_attendance_corrects_from_the_command_line_and_refuses_bad_input(run_cli, tmp_path, sqlite_url):
    args = ("meetings", "attendance", "--meeting", _planned_by_cli(run_cli, tmp_path))
    code, _, err = run_cli(*args, "--member", "1002", "--status", "present")
    assert code != 0 and err.strip() == "error: " + refusal("zh", "orglife_not_started")

    _took_place(sqlite_url)
    db = sqlite_url.split("///", 1)[1]
    with sqlite3.connect(db) as conn:
        before = [conn.execute(f"SELECT * FROM {t}").fetchall() for t in ("orglife_attendance", "audit_events")]
    for member, status, reason in (("1002", "late", "late"), ("9999", "present", "9999"),
                                   ("1003", "present", "")):
        code, _, err = run_cli(*args, "--member", member, "--status", status)
        assert code != 0 and err.startswith("error: ") and len(err.strip().splitlines()) == 1 and reason in err
    with sqlite3.connect(db) as conn:
        assert [conn.execute(f"SELECT * FROM {t}").fetchall() for t in ("orglife_attendance", "audit_events")] \
            == before
    code, out, _ = run_cli(*args, "--member", "1002", "--status", "present")
    assert code == 0 and "1002 王芳 now present; 1 present, 0 on leave, 3 absent of 4" in out
    code, out, _ = run_cli(*args, "--member", "1008", "--status", "请假")
    assert code == 0 and "now leave; 1 present, 1 on leave, 2 absent of 4" in out
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT present, via, corrected_by, corrected_at FROM orglife_attendance").fetchall()
        audit = conn.execute("SELECT actor_member_id, detail FROM audit_events WHERE action = 'orglife.attendance'"
                             ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [(1, "host", None), (0, "host", None)] and all(r[3] for r in rows)
    assert [a[0] for a in audit] == [None, None] and all('"via": "cli"' in a[1] for a in audit)


async def test_a_lesson_for_named_members_pushes_once_and_only_unlearned_members_are_taken_out(env, clock):
    await env.import_roster(BRANCH_OF_FOUR)
    await env.join(201, "王芳", "1002")  # 孙丽 has no chat yet: assigned, pushed once she registers
    async with env.db.session() as s:
        wang, sun, zhou = [await members.by_employee_no(s, no) for no in ("1002", "1008", "1009")]
        lesson = await lessons.assign(s, env.ctx, title="补学材料", body="学习内容", audience="branch:第一支部",
                                      member_ids=[wang.id, sun.id], due_on=date(2026, 12, 20))
        assert await lessons.add_members(s, env.ctx, lesson, [wang.id]) == 0  # already in it: nothing again
        assert await lessons.add_members(s, env.ctx, lesson, [zhou.id]) == 0  # no chat: assigned, not pushed
        lesson_id = lesson.id
    async with env.db.session() as s:
        rows = (await s.execute(select(LessonAssignment.member_id, LessonAssignment.pushed_at)
                                .where(LessonAssignment.lesson_id == lesson_id)
                                .order_by(LessonAssignment.member_id))).all()
        keys = (await s.execute(select(Outbox.dedupe_key).where(Outbox.kind == "lesson.push"))).scalars().all()
    assert [(m, p is not None) for m, p in rows] == [(wang.id, True), (sun.id, False), (zhou.id, False)]
    assert keys == [f"lesson:{lesson_id}:push:{wang.id}"]
    async with env.db.session() as s:
        await s.execute(update(LessonAssignment).where(LessonAssignment.member_id == wang.id)
                        .values(learned_at=env.ctx.now()))
        assert not await lessons.remove_member(s, lesson_id, wang.id)  # learned: it happened, it stays
        assert await lessons.remove_member(s, lesson_id, sun.id)
    async with env.db.session() as s:
        left = (await s.execute(select(LessonAssignment.member_id).where(
            LessonAssignment.lesson_id == lesson_id).order_by(LessonAssignment.member_id))).scalars().all()
    assert left == [wang.id, zhou.id]


async def test_someone_marked_absent_after_the_make_up_was_assigned_gets_it_too(env, clock):
    zhang, wang, sun, zhou = await four_members(env)
    meeting, code = await _held(env, clock, zhang, wang)
    await zhou.say(f"/checkin {code}")
    clock.set(local(DAY, 17, 0))
    async with env.db.session() as s:
        host = await members.by_employee_no(s, "1001")
        await orglife.record_minutes(s, env.ctx, host, meeting, text="纪要")
    assert await makeup_of(env, meeting) == [("1002", False), ("1008", False)]
    await env.tick()
    async with env.db.session() as s:
        host = await members.by_employee_no(s, "1001")
        await orglife.correct(s, env.ctx, host, meeting, "1009", "缺席")  # 周杰 checked in and left at once
    await env.tick()
    assert await makeup_of(env, meeting) == [("1002", False), ("1008", False), ("1009", False)]
    assert sum("【补学通知】" in t for t in zhou.texts()) == 1


def test_orglife_config_sets_the_make_up_period_and_refuses_a_bad_one(run_cli):
    code, out, _ = run_cli("orglife", "config", "--makeup-days", "7")
    assert code == 0 and "make-up study due 7 days after it is assigned" in out
    code, _, err = run_cli("orglife", "config", "--makeup-days", "120")
    assert code != 0 and err.strip() == "error: " + refusal("zh", "orglife_bad_makeup_days", value=120)
    assert "make-up study due 7 days" in run_cli("orglife", "config")[1]


def test_meetings_attendance_takes_an_invitees_name_as_its_help_says(run_cli, tmp_path, sqlite_url):
    meeting = _planned_by_cli(run_cli, tmp_path)
    _took_place(sqlite_url)
    code, out, err = run_cli("meetings", "attendance", "--meeting", meeting, "--member", "周杰", "--status", "出席")
    assert code == 0, err
    assert "1009 周杰 now present; 1 present, 0 on leave, 3 absent of 4" in out
    code, _, err = run_cli("meetings", "attendance", "--meeting", meeting, "--member", "赵磊", "--status", "出席")
    assert code != 0 and "赵磊" in err  # not invited: no such invitee


async def test_someone_who_registers_after_the_make_up_was_assigned_is_told_which_meeting_it_is_for(env, clock):
    """孙丽 had no chat when she missed the meeting: the make-up reaches her when she registers, with the same
    notice naming the meeting and the minutes' file after it, not a bare lesson."""
    await env.import_roster(BRANCH_OF_FOUR)
    zhang, wang = await env.join(101, "张伟", "1001"), await env.join(201, "王芳", "1002")
    meeting, code = await _held(env, clock, zhang, wang)
    clock.set(local(DAY, 17, 0))
    await zhang.press("会议记录")
    await zhang.upload("党员大会记录.docx", b"PK minutes of the meeting")
    await env.tick()
    assert ("1008", False) in await makeup_of(env, meeting)
    sun = await env.join(801, "孙丽", "1008")
    await env.tick()
    at = next(i for i, m in enumerate(sun.messages) if "【补学通知】" in (m.get("text") or ""))
    notice, lesson, document = sun.messages[at:at + 3]
    assert "您未参加第一支部2026-12-15召开的党员大会“学习全会精神”" in notice["text"]
    assert "📎 党员大会记录.docx" in lesson["text"] and document["document"]["file_name"] == "党员大会记录.docx"
    assert sum("【补学通知】" in t for t in wang.texts()) == 1  # the others' pushes are not repeated
