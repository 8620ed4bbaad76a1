"""The outbox: everything sent later or to many people is a row here first.

A row's unique dedupe key makes enqueuing idempotent (the same notification enqueued twice is sent once,
across restarts and replicas). Rows are claimed with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL),
so a crash between claim and send leaves the row to be claimed again when the lease runs out.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage import bulk, sealing
from storage.context import Context
from storage.models.org import Member
from storage.models.outbox import DEAD, PENDING, SENDING, SENT, Outbox

# --- what a row sends -------------------------------------------------------------------------------

def message(text: str, keyboard: list[list[dict]] | None = None, **params) -> dict:
    """A sendMessage in HTML; `keyboard` is rows of {"text", "callback_data" | "url"} buttons."""
    p = {"text": text, "parse_mode": "HTML", "link_preview_options": {"is_disabled": True}, **params}
    if keyboard:
        p["reply_markup"] = {"inline_keyboard": keyboard}
    return {"method": "sendMessage", "params": p}


def document(filename: str, content: bytes, caption: str | None = None) -> dict:
    p = {"parse_mode": "HTML"}
    if caption:
        p["caption"] = caption
    return {"method": "sendDocument", "params": p,
            "file": {"name": filename, "b64": base64.b64encode(content).decode()}}


def commands_menu(chat_id: int, commands: list[tuple[str, str]]) -> dict:
    return {"method": "setMyCommands",
            "params": {"commands": [{"command": c, "description": d} for c, d in commands],
                       "scope": {"type": "chat", "chat_id": chat_id}}}


# --- enqueue ----------------------------------------------------------------------------------------

def row(ctx: Context, *, key: str, chat_id: int, messages: list[dict], member_id: int | None = None,
        kind: str = "message", not_before: datetime | None = None) -> dict:
    now = ctx.now()
    return {"dedupe_key": key, "chat_id": chat_id, "member_id": member_id, "kind": kind,
            "payload": {"messages": messages}, "status": PENDING, "progress": 0, "attempts": 0,
            "uncertain_sends": 0, "not_before": not_before or now, "created_at": now}


SEALED = b"outbox"


def sealed_row(ctx: Context, *, key: str, chat_id: int, messages: list[dict], kind: str,
               not_before: datetime | None = None) -> dict:
    """A row whose recipient and messages are sealed (AES-GCM from TONGXIN_SECRET): what an anonymous writer
    is sent. In the clear it would pair the writer's chat with their ticket in the transaction that wrote
    it; sealed, the row says only that someone is sent something. The sender opens it when it claims it."""
    sealed = sealing.seal(ctx.secret, SEALED, {"c": chat_id, "m": messages}, key.encode(), size=16384)
    return row(ctx, key=key, chat_id=0, messages=[], kind=kind, not_before=not_before) | {
        "payload": {"sealed": base64.b64encode(sealed).decode()}}


def _open_sealed(ctx: Context, rows: list[Outbox]) -> None:
    """Give claimed sealed rows their chat and messages, in memory only (nothing of it is written back)."""
    for r in rows:
        blob = (r.payload or {}).get("sealed")
        if blob is None:
            continue
        value = sealing.unseal(ctx.secret, SEALED, base64.b64decode(blob), r.dedupe_key.encode()) or {"c": 0, "m": []}
        set_committed_value(r, "chat_id", value["c"])
        set_committed_value(r, "payload", {"messages": value["m"]})


async def enqueue(session: AsyncSession, ctx: Context, **fields) -> bool:
    """Insert one row unless its dedupe key exists; True when it was new."""
    return await enqueue_many(session, [row(ctx, **fields)]) == 1


async def enqueue_many(session: AsyncSession, rows: list[dict]) -> int:
    """Insert rows in one batched statement; rows whose dedupe key exists are skipped. Returns how many were new."""
    return await bulk.insert_new(session, Outbox, rows, ["dedupe_key"])


async def to_member(session: AsyncSession, ctx: Context, member: Member, *, key: str, messages: list[dict],
                    kind: str = "message", not_before: datetime | None = None) -> bool:
    """Queue for one member; members not linked yet or unreachable are skipped (False)."""
    if member.chat_id is None or not member.reachable or not member.active:
        return False
    return await enqueue(session, ctx, key=key, chat_id=member.chat_id, member_id=member.id,
                         messages=messages, kind=kind, not_before=not_before)


# --- claim and settle -------------------------------------------------------------------------------

async def claim(session: AsyncSession, ctx: Context, limit: int, lease_seconds: float = 120) -> list[Outbox]:
    now = ctx.now()
    due = or_(and_(Outbox.status == PENDING, Outbox.not_before <= now),
              and_(Outbox.status == SENDING, Outbox.lease_until < now))
    rows = list((await session.execute(
        select(Outbox).where(due).order_by(Outbox.id).limit(limit).with_for_update(skip_locked=True)
    )).scalars().all())
    if rows:
        await session.execute(
            update(Outbox),
            [{"id": r.id, "status": SENDING, "lease_until": now + timedelta(seconds=lease_seconds)} for r in rows],
        )
        _open_sealed(ctx, rows)
    return rows


@dataclass
class Outcome:
    """What happened to one claimed row; applied in bulk by `settle`."""

    id: int
    status: str  # SENT, PENDING (retry later) or DEAD
    progress: int
    attempts: int
    uncertain_sends: int
    message_ids: list | None = None
    not_before: datetime | None = None
    sent_at: datetime | None = None
    error: str | None = None
    unreachable_member_id: int | None = None


async def settle(session: AsyncSession, outcomes: list[Outcome]) -> None:
    if not outcomes:
        return
    params = []
    for o in outcomes:
        p = {"id": o.id, "status": o.status, "progress": o.progress, "attempts": o.attempts,
             "uncertain_sends": o.uncertain_sends, "message_ids": o.message_ids, "error": o.error,
             "sent_at": o.sent_at, "lease_until": None}
        if o.not_before is not None:
            p["not_before"] = o.not_before
        params.append(p)
    # Rows with and without not_before have different keys: executemany needs uniform parameter sets.
    for has_nb in (True, False):
        group = [p for p in params if ("not_before" in p) == has_nb]
        if group:
            await session.execute(update(Outbox), group)
    unreachable = {o.unreachable_member_id for o in outcomes if o.unreachable_member_id}
    if unreachable:
        await session.execute(update(Member).where(Member.id.in_(unreachable)).values(reachable=False))


async def counts(session: AsyncSession) -> dict[str, int]:
    rows = (await session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))).all()
    out = {PENDING: 0, SENDING: 0, SENT: 0, DEAD: 0}
    out.update(dict(rows))
    return out


async def uncertain_total(session: AsyncSession) -> int:
    return (await session.execute(select(func.coalesce(func.sum(Outbox.uncertain_sends), 0)))).scalar_one()
