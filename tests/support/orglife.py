"""Organisational life for tests: meetings planned straight through the storage service, as the CLI would."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage import orglife
from storage.models.org import Member
from storage.orglife import Attendance, Invitation

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
