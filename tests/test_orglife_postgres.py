"""On a real PostgreSQL: members checking in at the same second, from several replicas, are each recorded once."""
from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage import lessons, orglife, units
from storage.clock import FrozenClock
from storage.context import Context
from storage.db import Database
from storage.errors import Refused
from storage.models.org import Member
from storage.orglife import Attendance, Meeting
from storage.orglife.makeup import makeup_due
from tests.support.botenv import DEFAULT_NOW
from tests.support.orglife import DAY, local

MEMBERS = 200


async def _setup(db: Database, ctx: Context) -> tuple[int, list[int]]:
    async with db.session() as s:
        branch = await units.ensure(s, "branch", "第一支部")
        people = [Member(employee_no=f"P{i:04d}", name=f"党员{i}", roles="employee", language="zh", reachable=True,
                         active=True, party_member=True, branch_id=branch.id, created_at=ctx.now())
                  for i in range(MEMBERS)]
        s.add_all(people)
        await s.flush()
        meeting, invited = await orglife.plan(s, ctx, orglife.Plan(branch="第一支部", kind="党员大会",
                                                                   at="2026-12-15 14:30", place="礼堂",
                                                                   topic="全会精神"), actor=None)
        assert invited == MEMBERS
        return meeting.id, [p.id for p in people]


async def test_two_hundred_members_checking_in_at_the_same_second_record_two_hundred_attendances(pg_url):
    clock = FrozenClock(DEFAULT_NOW)
    ctx = Context(clock=clock, secret=b"test-secret-not-for-production")
    replicas = [Database(pg_url) for _ in range(4)]
    try:
        meeting_id, member_ids = await _setup(replicas[0], ctx)
        clock.set(local(DAY, 14, 31))
        async with replicas[0].session() as s:
            code = orglife.current_code(ctx, await s.get(Meeting, meeting_id))

        async def attempt(i: int, member_id: int) -> str:
            try:
                async with replicas[i % len(replicas)].session() as s:
                    await orglife.checkin_code(s, ctx, await s.get(Member, member_id), code)
                return "in"
            except Refused as refused:
                return refused.template

        # Every member presses twice at once: 400 attempts, 200 attendances.
        outcomes = await asyncio.gather(*(attempt(i, m) for i, m in enumerate(member_ids + member_ids)))
        assert outcomes.count("in") == MEMBERS
        assert outcomes.count("orglife_already_checked_in") == MEMBERS
        async with replicas[0].session() as s:
            rows = (await s.execute(select(func.count(Attendance.id), func.count(func.distinct(Attendance.member_id)))
                                    .where(Attendance.meeting_id == meeting_id))).one()
        assert tuple(rows) == (MEMBERS, MEMBERS)
    finally:
        for db in replicas:
            await db.dispose()


async def test_two_replicas_ticking_at_once_give_the_absent_one_make_up_lesson(pg_url):
    """Minutes sent during the meeting: at its end both replicas' ticks look for meetings owing a make-up at
    the same moment; one lesson is made and each absent member is assigned it once."""
    clock = FrozenClock(DEFAULT_NOW)
    ctx = Context(clock=clock, secret=b"test-secret-not-for-production")
    replicas = [Database(pg_url) for _ in range(2)]
    try:
        meeting_id, _ = await _setup(replicas[0], ctx)
        async with replicas[0].session() as s:
            meeting = await s.get(Meeting, meeting_id)
            meeting.minutes_text, meeting.minutes_at = "一、学习全会精神原文。", local(DAY, 15, 0)
        clock.set(local(DAY, 17, 0))  # ended at 16:30

        async def tick(db: Database) -> int:
            async with db.session() as s:
                return await makeup_due(s, ctx)

        assert sorted(await asyncio.gather(*(tick(db) for db in replicas))) == [0, MEMBERS]
        async with replicas[0].session() as s:
            made = (await s.execute(select(func.count(lessons.Lesson.id)))).scalar_one()
            assigned = (await s.execute(select(func.count(lessons.LessonAssignment.id),
                                               func.count(func.distinct(lessons.LessonAssignment.member_id))))).one()
        assert made == 1 and tuple(assigned) == (MEMBERS, MEMBERS)
    finally:
        for db in replicas:
            await db.dispose()
