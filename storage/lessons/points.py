"""The lesson points ledger: learned lesson, quiz score and a full-marks bonus, with a daily cap.

Each award is one row per (member, lesson, reason), so pressing twice or retrying a quiz never pays twice.
An award over the day's cap is written trimmed (possibly to 0): the cap is per local day, and a trimmed
award is not paid later, which is what keeps the cap meaningful.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import bulk
from storage.context import Context
from storage.lessons.models import LessonPoints
from storage.models.org import Member

LEARNED = 5          # a lesson learned (reading time kept, or quiz passed)
PER_RIGHT_ANSWER = 2  # each right answer on the first complete attempt
FULL_MARKS = 5       # every question right on the first attempt
DAILY_CAP = 20


async def award(session: AsyncSession, ctx: Context, member_id: int, lesson_id: int, reason: str,
                earned: int) -> int:
    """Credit `earned` points for `reason` once; returns the points credited after the daily cap."""
    if earned <= 0:
        return 0
    day = ctx.local_now().date()
    # The member's row serialises their awards, so two at once (a quiz answer and a "learned" press, or
    # two replicas) cannot both read the same total and pay past the cap. SQLite writes one at a time anyway.
    await session.execute(select(Member.id).where(Member.id == member_id).with_for_update())
    used = (await session.execute(
        select(func.coalesce(func.sum(LessonPoints.points), 0))
        .where(LessonPoints.member_id == member_id, LessonPoints.day == day)
    )).scalar_one()
    credited = max(0, min(earned, DAILY_CAP - int(used)))
    insert = bulk.dialect_insert(session)
    result = await session.execute(
        insert(LessonPoints).values(member_id=member_id, lesson_id=lesson_id, reason=reason, earned=earned,
                                    points=credited, day=day, created_at=ctx.now())
        .on_conflict_do_nothing(index_elements=["member_id", "lesson_id", "reason"])
    )
    return credited if (result.rowcount or 0) > 0 else 0


async def totals(session: AsyncSession, ctx: Context, member_id: int) -> tuple[int, int]:
    """(all-time points, points today) of a member."""
    day = ctx.local_now().date()
    total, today = (await session.execute(
        select(func.coalesce(func.sum(LessonPoints.points), 0),
               func.coalesce(func.sum(LessonPoints.points).filter(LessonPoints.day == day), 0))
        .where(LessonPoints.member_id == member_id)
    )).one()
    return int(total), int(today)
