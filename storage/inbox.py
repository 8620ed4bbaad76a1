"""The update inbox: an update is committed here before it is acknowledged, and handled from here once.

`receive` records a batch (the webhook's one update, or one `getUpdates` answer) in one transaction and
returns the updates not seen before, leased to the process that received them; a redelivered `update_id`
is ignored. `take` marks an update handled inside the handler's own transaction, so the handler's change
and "handled" commit together: a crash before the commit leaves the update pending (handled again after a
restart), a crash after it leaves nothing to repeat. `finish` does the same for updates no handler took.
`claim` gives pending updates whose lease ran out (their process died) to a living one.

The raw update names the sender next to what they typed, so it waits sealed, padded to a fixed size, and is
erased when it is handled; what stays (id, status, day) leads to no one. Handled rows go after a day:
Telegram does not redeliver older updates.
"""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import sealing
from storage.bulk import dialect_insert
from storage.context import Context
from storage.models.inbox import InboxUpdate

PENDING, HANDLED = "pending", "handled"
PURPOSE = b"inbox"
# Every text update fits in 8 KiB of JSON; a larger one (a long text with many entities) takes the next
# power of two, so a sealed size says "big", never how big.
PAD = 8 * 1024
LEASE = timedelta(seconds=15)
KEEP = timedelta(days=1)


def sealed_size(length: int) -> int:
    size = PAD
    while size < length:
        size *= 2
    return size


def _aad(update_id: int) -> bytes:
    return str(update_id).encode()


def seal(ctx: Context, payload: dict) -> bytes:
    length = len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())
    return sealing.seal(ctx.secret, PURPOSE, payload, aad=_aad(payload["update_id"]), size=sealed_size(length))


def unseal(ctx: Context, update_id: int, blob: bytes | None) -> dict | None:
    return sealing.unseal(ctx.secret, PURPOSE, blob, aad=_aad(update_id))


async def receive(session: AsyncSession, ctx: Context, payloads: list[dict]) -> list[dict]:
    """Record the updates; returns those not seen before (in update_id order), leased to the caller."""
    unique = {p["update_id"]: p for p in payloads}
    if not unique:
        return []
    now = ctx.now()
    rows = [{"update_id": uid, "status": PENDING, "received_on": now.date(), "lease_until": now + LEASE,
             "sealed": seal(ctx, p)} for uid, p in sorted(unique.items())]
    stmt = (dialect_insert(session)(InboxUpdate).on_conflict_do_nothing(index_elements=["update_id"])
            .returning(InboxUpdate.update_id))
    connection = await session.connection()
    new = {r[0] for r in (await connection.execute(stmt, rows)).all()}
    return [p for uid, p in sorted(unique.items()) if uid in new]


async def claim(session: AsyncSession, ctx: Context, limit: int = 100) -> list[tuple[int, dict | None]]:
    """Pending updates nobody holds a lease on, oldest first, now leased to the caller.

    The payload is None when it cannot be opened (the secret changed): the caller finishes such an update.
    """
    now = ctx.now()
    query = (select(InboxUpdate.update_id, InboxUpdate.sealed)
             .where(InboxUpdate.status == PENDING,
                    or_(InboxUpdate.lease_until.is_(None), InboxUpdate.lease_until < now))
             .order_by(InboxUpdate.update_id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = (await session.execute(query)).all()
    if rows:
        await session.execute(update(InboxUpdate).where(InboxUpdate.update_id.in_([r[0] for r in rows]))
                              .values(lease_until=now + LEASE))
    return [(uid, unseal(ctx, uid, blob)) for uid, blob in rows]


async def renew(session: AsyncSession, ctx: Context, update_ids: list[int]) -> None:
    """Keep the leases of updates still being handled."""
    if update_ids:
        await session.execute(update(InboxUpdate)
                              .where(InboxUpdate.update_id.in_(update_ids), InboxUpdate.status == PENDING)
                              .values(lease_until=ctx.now() + LEASE))


async def release(session: AsyncSession, update_ids: list[int] | None = None) -> None:
    """Give up leases (these, or all: the sole polling process starting), so pending updates are claimed now."""
    stmt = update(InboxUpdate).where(InboxUpdate.status == PENDING)
    if update_ids is not None:
        stmt = stmt.where(InboxUpdate.update_id.in_(update_ids))
    await session.execute(stmt.values(lease_until=None))


def _mark(update_id: int):
    return (update(InboxUpdate).where(InboxUpdate.update_id == update_id, InboxUpdate.status == PENDING)
            .values(status=HANDLED, sealed=None, lease_until=None))


async def take(session: AsyncSession, update_id: int) -> bool:
    """Mark the update handled in this (the handler's) transaction; False when it already was: do nothing.

    The row lock the UPDATE takes makes a second transaction on the same update wait for the first, then
    find it handled. An update that never went through the inbox has no row and is let through.
    """
    if (await session.execute(_mark(update_id))).rowcount:
        return True
    status = await session.scalar(select(InboxUpdate.status).where(InboxUpdate.update_id == update_id))
    return status != HANDLED


async def finish(session: AsyncSession, update_id: int) -> None:
    """Mark handled an update whose handling committed nothing of its own (or that no handler took)."""
    await session.execute(_mark(update_id))


async def prune(session: AsyncSession, ctx: Context) -> int:
    """Forget handled updates received more than a day ago."""
    cutoff = (ctx.now() - KEEP).date()
    result = await session.execute(delete(InboxUpdate).where(
        and_(InboxUpdate.status == HANDLED, InboxUpdate.received_on < cutoff)))
    return result.rowcount or 0


async def counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(InboxUpdate.status, func.count()).group_by(InboxUpdate.status))
    return {status: n for status, n in rows.all()}
