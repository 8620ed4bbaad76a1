"""A writer's actions, sealed, waiting for the tick: the writer's own transaction writes nothing else about
a ticket.

Each waiting action is one row: a random id and AES-GCM (key from TONGXIN_SECRET) of who acted, on which
ticket, and what (the text of a new ticket or of an answer back included), padded so every row has the
length of the longest text allowed. The tick (`feedback_jobs.apply_pending`) opens them all, applies them in
random order in one transaction and deletes them: a ticket or a message in the clear is written by the tick,
in a transaction that names no writer.
"""
from __future__ import annotations

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import sealing
from storage.context import Context
from storage.feedback.config import load_config
from storage.feedback.models import FeedbackPending

PURPOSE = b"feedback-pending"
# The tick vacuums this table after applying (where the engine allows it).
SEALED_TABLES = ("feedback_pending", "dialogs")


@dataclass
class Action:
    id: str
    kind: str  # "submit", "message", "resolve", "reopen", "rate"
    member_id: int
    data: dict
    at: float = 0.0  # when it was queued (inside the seal): one writer's actions apply in their order


async def _size(session: AsyncSession) -> int:
    """Room for the longest text allowed, at the most bytes a character takes in JSON, and the rest."""
    cfg = await load_config(session)
    return 4 * cfg.max_text + 1024


async def queue(session: AsyncSession, ctx: Context, kind: str, member_id: int, **data) -> None:
    value = {"k": kind, "m": member_id, "d": data, "t": ctx.now().timestamp()}
    session.add(FeedbackPending(id=secrets.token_hex(16),
                                sealed=sealing.seal(ctx.secret, PURPOSE, value, size=await _size(session))))
    await session.flush()


async def waiting(session: AsyncSession, ctx: Context) -> list[Action]:
    """Every action waiting that opens with this secret (others can never be applied and are skipped).

    Locked: a second replica's tick waits here and then finds them gone, so each is applied once."""
    rows = (await session.execute(select(FeedbackPending.id, FeedbackPending.sealed).with_for_update())).all()
    actions = []
    for row_id, blob in rows:
        value = sealing.unseal(ctx.secret, PURPOSE, blob)
        if value is not None:
            actions.append(Action(row_id, value["k"], value["m"], value.get("d") or {}, value.get("t", 0.0)))
    return actions


def mixed(actions: list[Action]) -> list[Action]:
    """The order to apply them in: each writer's own actions in the order they were taken (a reopen before
    the answer that follows it), the writers interleaved at random, so the rows the tick writes lie in no
    order that follows the writers'."""
    by_member: dict[int, list[Action]] = defaultdict(list)
    for action in sorted(actions, key=lambda a: a.at):
        by_member[action.member_id].append(action)
    queues = list(by_member.values())
    pick = random.SystemRandom()
    out = []
    while queues:
        queue_ = pick.choice(queues)
        out.append(queue_.pop(0))
        if not queue_:
            queues.remove(queue_)
    return out


async def waiting_for(session: AsyncSession, ctx: Context, member_id: int, kind: str) -> list[Action]:
    return [a for a in await waiting(session, ctx) if a.member_id == member_id and a.kind == kind]


async def remove(session: AsyncSession, ids: list[str]) -> None:
    if ids:
        await session.execute(delete(FeedbackPending).where(FeedbackPending.id.in_(ids)))
