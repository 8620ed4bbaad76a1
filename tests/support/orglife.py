"""Organisational life for tests: meetings planned straight through the storage service, as the CLI would."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage import orglife
from storage.models.org import Member
from storage.lessons import LessonAssignment
from storage.orglife import Attendance, Invitation
from tests.support.botenv import DEMO_ROSTER

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 15)  # a Tuesday, twelve days after the harness's "now"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


async def plan(env, *, branch: str = "第一支部", kind: str = "党员大会", at: str = "2026-12-15 14:30",
               place: str = "党员活动室", topic: str = "学习全会精神", host: str | None = "1001") -> int:
    async with env.db.session() as s:
        meeting, _ = await orglife.plan(s, env.ctx, orglife.Plan(branch=branch, kind=kind, at=at, place=place,
                                                                 topic=topic, host_no=host), actor=None)
        return meeting.id


async def invited(env, meeting_id: int) -> list[tuple[str, str | None, str | None]]:
    """(employee_no, answer, leave reason) of everyone invited, by employee number."""
    async with env.db.session() as s:
        rows = (await s.execute(select(Member.employee_no, Invitation.answer, Invitation.leave_reason)
                                .join(Member, Member.id == Invitation.member_id)
                                .where(Invitation.meeting_id == meeting_id).order_by(Member.employee_no))).all()
    return [tuple(r) for r in rows]


async def present(env, meeting_id: int) -> list[tuple[str, bool, str]]:
    async with env.db.session() as s:
        rows = (await s.execute(select(Member.employee_no, Attendance.present, Attendance.via)
                                .join(Member, Member.id == Attendance.member_id)
                                .where(Attendance.meeting_id == meeting_id).order_by(Member.employee_no))).all()
    return [tuple(r) for r in rows]


# 第一支部 with four Party members: 张伟 (secretary, hosts), 王芳, 孙丽 and 周杰.
BRANCH_OF_FOUR = DEMO_ROSTER + "1008,孙丽,生产部,第一支部,是,employee\n1009,周杰,生产部,第一支部,是,employee\n"


async def four_members(env):
    await env.import_roster(BRANCH_OF_FOUR)
    return (await env.join(101, "张伟", "1001"), await env.join(201, "王芳", "1002"),
            await env.join(801, "孙丽", "1008"), await env.join(901, "周杰", "1009"))


def card_button(message: dict, name: str, label: str) -> str:
    """The callback data of `label` (出席 / 请假 / 缺席) in the attendance card's row of `name`."""
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        if name in row[0].get("text", ""):
            return next(b["callback_data"] for b in row if label in b.get("text", ""))
    raise LookupError(f"no row for {name}")


async def makeup_of(env, meeting_id: int) -> list[tuple[str, bool]]:
    """(employee_no, learned) of everyone given the meeting's make-up lesson."""
    async with env.db.session() as s:
        meeting = await s.get(orglife.Meeting, meeting_id)
        if meeting.makeup_lesson_id is None:
            return []
        rows = (await s.execute(select(Member.employee_no, LessonAssignment.learned_at)
                                .join(Member, Member.id == LessonAssignment.member_id)
                                .where(LessonAssignment.lesson_id == meeting.makeup_lesson_id)
                                .order_by(Member.employee_no))).all()
    return [(no, learned is not None) for no, learned in rows]
