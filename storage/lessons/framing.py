"""How an assigned lesson is framed: a line sent just before it and files sent right after it, in the reader's
language (make-up study names the meeting missed and re-sends its minutes). The feature that assigns the
lesson registers a framer, so a member who registers late gets the same push as the others (`rules.catch_up`)
without the lessons knowing about meetings."""
from __future__ import annotations

from typing import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.context import Context
from storage.lessons.models import Lesson

Intro = Callable[[str], str] | None
Attached = Callable[[str], list[dict]] | None
Framer = Callable[[AsyncSession, Context, Lesson], Awaitable[tuple[Intro, Attached] | None]]

_FRAMERS: list[Framer] = []


def framer(fn: Framer) -> Framer:
    """Register `fn(session, ctx, lesson)`: (intro, attached) for a lesson it assigned, else None."""
    _FRAMERS.append(fn)
    return fn


async def framing(session: AsyncSession, ctx: Context, lesson: Lesson) -> tuple[Intro, Attached]:
    for fn in _FRAMERS:
        found = await fn(session, ctx, lesson)
        if found is not None:
            return found
    return None, None


def framed(messages: list[dict], lang: str, intro: Intro, attached: Attached) -> list[dict]:
    """The lesson's push with its line before and its files after."""
    before = [outbox.message(intro(lang))] if intro is not None else []
    return before + messages + (attached(lang) if attached is not None else [])
