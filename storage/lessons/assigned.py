"""A lesson assigned to named members rather than published to an audience: make-up study (补学) after a missed
meeting, say. It is published at once with its own due date; the snapshot is the named members, and it is
pushed, learned, reminded and counted exactly like any lesson (the push row keeps the lesson's push key, which
is what "delivered" and "learned" read)."""
from __future__ import annotations

from datetime import date
from typing import Callable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, bulk, calendar, outbox
from storage.context import Context
from storage.lessons.framing import framed
from storage.lessons.markdown import ParsedLesson
from storage.lessons.models import PUBLISHED, Lesson, LessonAssignment
from storage.lessons.rules import _reminder_times, default_min_read, push_key, push_messages
from storage.models.org import Member

TITLE_MAX = 200


async def assign(session: AsyncSession, ctx: Context, *, title: str, body: str, audience: str,
                 member_ids: list[int], due_on: date, author_id: int | None = None,
                 intro: Callable[[str], str] | None = None,
                 attached: Callable[[str], list[dict]] | None = None) -> Lesson:
    """Make the lesson and push it to `member_ids` now. `audience` is what it is about (shown nowhere as a
    rule: nobody else is ever added by it); `intro(lang)` is a line sent just before the lesson, `attached(lang)`
    outbox messages (files) sent right after it: a file Telegram refuses then never holds the lesson back.
    A member with no chat yet gets the same when they register, through the assigning feature's `framer`."""
    now = ctx.now()
    lesson = Lesson(title=title[:TITLE_MAX], body=body, quiz=[], audience=audience, publish_at=now, due_on=due_on,
                    min_read_seconds=default_min_read(ParsedLesson(title, body, [])), status=PUBLISHED,
                    published_at=now, author_id=author_id, created_at=now)
    session.add(lesson)
    await session.flush()
    _reminder_times(lesson, ctx)
    pushed = await add_members(session, ctx, lesson, member_ids, intro, attached)
    audit.record(session, ctx, "lesson.assigned", "lesson", lesson.id, actor_id=author_id,
                 audience=len(member_ids), pushed=pushed)
    return lesson


async def add_members(session: AsyncSession, ctx: Context, lesson: Lesson, member_ids: list[int],
                      intro: Callable[[str], str] | None = None,
                      attached: Callable[[str], list[dict]] | None = None) -> int:
    """Add members to the lesson (a member already in it is left as they are); returns pushes queued."""
    if not member_ids:
        return 0
    now = ctx.now()
    people = (await session.execute(select(Member).where(Member.id.in_(member_ids))
                                    .order_by(Member.id))).scalars().all()
    have = set((await session.execute(select(LessonAssignment.member_id).where(
        LessonAssignment.lesson_id == lesson.id, LessonAssignment.member_id.in_(member_ids)))).scalars())
    new = [p for p in people if p.id not in have]
    reach = {p.id for p in new if p.chat_id is not None and p.reachable and p.active}
    await bulk.insert_new(session, LessonAssignment, [
        {"lesson_id": lesson.id, "member_id": p.id, "unit_id": p.unit_id, "branch_id": p.branch_id,
         "assigned_at": now, "pushed_at": now if p.id in reach else None, "quiz_right": []} for p in new],
        ["lesson_id", "member_id"])
    rows = []
    for p in new:
        if p.id not in reach:
            continue
        messages = framed(push_messages(lesson, p.language), p.language, intro, attached)
        rows.append(outbox.row(ctx, key=push_key(lesson.id, p.id), chat_id=p.chat_id, member_id=p.id,
                               messages=messages, kind="lesson.push", not_before=calendar.after_quiet(now, ctx)))
    return await outbox.enqueue_many(session, rows)


async def remove_member(session: AsyncSession, lesson_id: int, member_id: int) -> bool:
    """Take a member out of the lesson while they have not learned it (a learned one stays: it happened)."""
    result = await session.execute(delete(LessonAssignment).where(
        LessonAssignment.lesson_id == lesson_id, LessonAssignment.member_id == member_id,
        LessonAssignment.learned_at.is_(None)))
    return bool(result.rowcount)
