"""The points board of a branch (/lessons): the member's points and rank, and the branch's top ten.

Ranks count every active member of the branch (equal points share a rank: 1, 2, 2, 4). A member is named on
the board only after choosing so in /me (`lesson_board_names`); everyone else appears as a placeholder, so
the ranks stay true without naming anyone who did not agree. The reader always sees their own line marked.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import bulk, units
from storage.context import Context
from storage.lessons.models import LessonBoardName, LessonPoints
from storage.models.org import Member

TOP = 10


async def board_named(session: AsyncSession, member_id: int) -> bool:
    """Whether the member chose to be named on the board."""
    return await session.get(LessonBoardName, member_id) is not None


async def set_board_named(session: AsyncSession, ctx: Context, member: Member, shown: bool) -> bool:
    """Name the member on the board, or stop; pressing twice is harmless. Returns the new choice."""
    if shown:
        insert = bulk.dialect_insert(session)
        await session.execute(insert(LessonBoardName).values(member_id=member.id, since=ctx.now())
                              .on_conflict_do_nothing(index_elements=["member_id"]))
    else:
        await session.execute(delete(LessonBoardName).where(LessonBoardName.member_id == member.id))
    return shown


async def board_standing(session: AsyncSession, member: Member) -> dict | None:
    """{branch, points, rank, of, top: [{rank, name or None, points, me}]} in the member's branch; None without one."""
    if member.branch_id is None:
        return None
    totals = func.coalesce(func.sum(LessonPoints.points), 0)
    rows = (await session.execute(
        select(Member.id, Member.name, totals.label("points"), LessonBoardName.member_id)
        .outerjoin(LessonPoints, LessonPoints.member_id == Member.id)
        .outerjoin(LessonBoardName, LessonBoardName.member_id == Member.id)
        .where(Member.branch_id == member.branch_id, Member.active.is_(True))
        .group_by(Member.id, Member.name, LessonBoardName.member_id)
        .order_by(totals.desc(), Member.employee_no))).all()
    ranked, rank, last = [], 0, None
    for i, (mid, name, points, shown) in enumerate(rows, start=1):
        if points != last:
            rank, last = i, points
        ranked.append({"rank": rank, "name": name if shown is not None else None, "points": int(points),
                       "me": mid == member.id})
    mine = next((r for r in ranked if r["me"]), {"rank": None, "points": 0})
    branch = (await units.names(session, [member.branch_id])).get(member.branch_id, "")
    return {"branch": branch, "points": mine["points"], "rank": mine["rank"], "of": len(ranked),
            "top": [r for r in ranked if r["points"] > 0][:TOP]}
