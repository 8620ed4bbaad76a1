"""The outbox: everything sent later or to many people is a row here first.

A row's unique dedupe key makes enqueuing idempotent (the same notification enqueued twice is sent once,
across restarts and replicas). Each row has a lane (notice, scheduled, broadcast), derived from its kind.
Rows are claimed highest lane first, oldest first, with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL);
what was sent is written message by message, so a crash repeats at most the message whose request was on
the wire, and that one is counted (`uncertain_sends`). Enqueuing wakes the senders when the transaction
commits: in process through the session, across processes by `NOTIFY` on PostgreSQL.
"""
from __future__ import annotations

import base64
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, or_, select, text, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage import bulk, sealing
from storage.context import Context
from storage.models.org import Member
from storage.models.outbox import BROADCAST, DEAD, NOTICE, PENDING, SCHEDULED, SENDING, SENT, Outbox, SendLease

CHANNEL = "tongxin_outbox"  # NOTIFY channel the senders LISTEN on
WRITTEN = "outbox_written"  # session.info flag: this transaction enqueued something

# The lane each kind goes in, named deliberately (tests/test_outbox_lanes.py finds every kind the code
# enqueues and fails on one missing here). NOTICE: a personal message caused by someone's action, sent before
# anything the tick produces. SCHEDULED: what the tick produces when its time comes. BROADCAST: to many at once.
LANES = {
    # notices
    "message": NOTICE, "tasks.assigned": NOTICE, "tasks.reported": NOTICE, "tasks.confirmed": NOTICE,
    "tasks.returned": NOTICE, "tasks.cancelled": NOTICE, "tasks.nudged": NOTICE, "feedback.notice": NOTICE,
    "feedback.relay": NOTICE, "reception.notice": NOTICE, "members.reassign": NOTICE,
    # scheduled
    "lesson.reminder": SCHEDULED, "survey.reminder": SCHEDULED, "survey.closed": SCHEDULED,
    "tasks.reminder": SCHEDULED, "tasks.alert": SCHEDULED, "tasks.escalation": SCHEDULED,
    "tasks.digest": SCHEDULED, "feedback.escalation": SCHEDULED, "feedback.digest": SCHEDULED,
    "reception.reminder": SCHEDULED, "reception.agenda": SCHEDULED, "reception.sheet": SCHEDULED,
    "targets.warning": SCHEDULED, "lesson.nudge": SCHEDULED,
    # broadcasts; a member's command menu after a roster import is one of hundreds and shows only when opened
    "orglife.invite": BROADCAST, "orglife.reminder": SCHEDULED, "orglife.warning": SCHEDULED,
    "lesson.push": BROADCAST, "survey.invite": BROADCAST, "survey.shared": BROADCAST, "menu": BROADCAST,
}


def lane_for(kind: str) -> int:
    """A kind missing from LANES (a test catches it) is treated as a notice rather than refused."""
    return LANES.get(kind, NOTICE)

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


def attachment(kind: str, file_id: str, caption: str | None = None) -> dict:
    """A photo or document re-sent by Telegram's file id (something a member sent; the bytes never pass here)."""
    method, field = ("sendPhoto", "photo") if kind == "photo" else ("sendDocument", "document")
    p = {field: file_id, "parse_mode": "HTML"}
    if caption:
        p["caption"] = caption
    return {"method": method, "params": p}


def commands_menu(chat_id: int, commands: list[tuple[str, str]]) -> dict:
    return {"method": "setMyCommands",
            "params": {"commands": [{"command": c, "description": d} for c, d in commands],
                       "scope": {"type": "chat", "chat_id": chat_id}}}


# --- enqueue ----------------------------------------------------------------------------------------

def row(ctx: Context, *, key: str, chat_id: int, messages: list[dict], member_id: int | None = None,
        kind: str = "message", not_before: datetime | None = None, lane: int | None = None) -> dict:
    now = ctx.now()
    return {"dedupe_key": key, "chat_id": chat_id, "member_id": member_id, "kind": kind,
            "lane": lane_for(kind) if lane is None else lane,
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
    """Insert rows in one batched statement; rows whose dedupe key exists are skipped. Returns how many were new.

    New rows wake the senders once the transaction commits (`Database.session` reads the flag; PostgreSQL
    delivers the NOTIFY only on commit, and never for a rolled-back transaction)."""
    new = await bulk.insert_new(session, Outbox, rows, ["dedupe_key"])
    if new:
        if not session.info.get(WRITTEN) and session.get_bind().dialect.name == "postgresql":
            await session.execute(text(f"NOTIFY {CHANNEL}"))
        session.info[WRITTEN] = True
    return new


async def to_member(session: AsyncSession, ctx: Context, member: Member, *, key: str, messages: list[dict],
                    kind: str = "message", not_before: datetime | None = None, lane: int | None = None) -> bool:
    """Queue for one member; members not linked yet or unreachable are skipped (False)."""
    if member.chat_id is None or not member.reachable or not member.active:
        return False
    return await enqueue(session, ctx, key=key, chat_id=member.chat_id, member_id=member.id,
                         messages=messages, kind=kind, not_before=not_before, lane=lane)


# --- claim and settle -------------------------------------------------------------------------------

def _due(now: datetime):
    return or_(and_(Outbox.status == PENDING, Outbox.not_before <= now),
               and_(Outbox.status == SENDING, Outbox.lease_until < now))


async def claim(session: AsyncSession, ctx: Context, limit: int, lease_seconds: float = 120,
                skip: set[int] | frozenset = frozenset(), *, per_chat: int | None = None,
                queued: dict[int, int] | None = None) -> list[Outbox]:
    """Take up to `limit` due rows, highest lane first, oldest first, under a lease.

    `per_chat`: at most that many rows of one chat held at once (`queued`: what each chat holds already).
    A chat is sent one message per `chat_interval`, so without it 200 reminders to one owner fill every
    claim and everyone else waits behind them. A row whose lease ran out while a request was on the wire
    (`inflight`) was perhaps sent: it is sent again from that message and the possible duplicate counted in
    `uncertain_sends`."""
    now = ctx.now()
    query = select(Outbox).where(_due(now))
    if skip:
        query = query.where(Outbox.id.not_in(skip))
    if per_chat:
        ids = await _fair_share(session, now, limit, skip, per_chat, queued or {})
        if not ids:
            return []
        query = select(Outbox).where(Outbox.id.in_(ids), _due(now))
    rows = list((await session.execute(
        query.order_by(Outbox.lane, Outbox.id).limit(limit).with_for_update(skip_locked=True)
    )).scalars().all())
    if rows:
        until = now + timedelta(seconds=lease_seconds)
        changes = []
        for r in rows:
            change = {"id": r.id, "status": SENDING, "lease_until": until, "progress": r.progress,
                      "uncertain_sends": r.uncertain_sends, "inflight": None}
            if r.inflight is not None:
                change.update(progress=r.inflight, uncertain_sends=r.uncertain_sends + 1)
            changes.append(change)
            for column, value in change.items():  # as written: the session has nothing left to flush
                set_committed_value(r, column, value)
        await write(session, changes)
        _open_sealed(ctx, rows)
    return rows


async def _fair_share(session: AsyncSession, now: datetime, limit: int, skip, per_chat: int,
                      queued: dict[int, int]) -> list[int]:
    """The ids `claim` may take: due rows in order, at most `per_chat` held per chat (sealed rows, chat 0 until
    opened, are not capped: each is someone else). Up to four times `limit` of them, so that a concurrent
    sender (a drain) that locked the first ones leaves this one the next.

    Pending rows and rows whose lease ran out are two queries merged here, each walking `ix_outbox_lane_order`
    in order and stopping at its limit: one query with `OR` between them reads and sorts every pending row,
    which mid-broadcast is thousands per claim."""
    full = [chat for chat, n in queued.items() if n >= per_chat]
    walks = []
    for status, due in ((PENDING, Outbox.not_before <= now), (SENDING, Outbox.lease_until < now)):
        query = select(Outbox.lane, Outbox.id, Outbox.chat_id).where(Outbox.status == status, due)
        if skip and status == SENDING:  # what this sender holds is sending; pending rows are never held
            query = query.where(Outbox.id.not_in(skip))
        if full:
            query = query.where(Outbox.chat_id.not_in(full))
        walks.append(select(query.order_by(Outbox.lane, Outbox.id).limit(limit * 4).subquery()))
    candidates = list((await session.execute(union_all(*walks))).all())
    candidates.sort()
    taken, ids = dict(queued), []
    for _, row_id, chat in candidates[:limit * 4]:
        if chat and taken.get(chat, 0) >= per_chat:
            continue
        taken[chat] = taken.get(chat, 0) + 1
        ids.append(row_id)
    return ids


async def any_due(session: AsyncSession, ctx: Context) -> bool:
    """One indexed look: is anything due now? (the SQLite sender's once-a-second poll)."""
    return (await session.execute(select(Outbox.id).where(_due(ctx.now())).limit(1))).first() is not None


async def write(session: AsyncSession, changes: list[dict]) -> None:
    """Apply per-row changes ({"id": …, column: value}) as few executemany statements (same keys together).

    Core statements, not the ORM's bulk update: the sender writes twice per message and the ORM's per-row
    bookkeeping was a visible share of a drain's time."""
    groups: dict[tuple, list[dict]] = {}
    for change in changes:
        groups.setdefault(tuple(sorted(change)), []).append(change)
    table = Outbox.__table__
    for keys, group in groups.items():
        stmt = update(table).where(table.c.id == bindparam("b_id")).values(
            {k: bindparam(f"b_{k}", type_=table.c[k].type) for k in keys if k != "id"})
        await session.execute(stmt, [{f"b_{k}": v for k, v in change.items()} for change in group])


async def renew(session: AsyncSession, ids: list[int], until: datetime) -> None:
    """Extend the lease of held rows; a row locked by a write in progress is skipped (that write is its own
    renewal, or settles it), so renewing never deadlocks with the sender's records."""
    if ids:
        free = select(Outbox.id).where(Outbox.id.in_(ids), Outbox.status == SENDING).with_for_update(skip_locked=True)
        await session.execute(update(Outbox).where(Outbox.id.in_(free.scalar_subquery())).values(lease_until=until))


async def release(session: AsyncSession, ids: list[int], clear_inflight: list[int] = ()) -> None:
    """Give claimed rows back (a sender stopping): what was recorded stays, the rest is due again.

    `clear_inflight`: rows whose announced request was never made; the others keep the mark and are counted."""
    if ids:
        await session.execute(update(Outbox).where(Outbox.id.in_(ids), Outbox.status == SENDING)
                              .values(status=PENDING, lease_until=None))
    if clear_inflight:
        await session.execute(update(Outbox).where(Outbox.id.in_(clear_inflight)).values(inflight=None))


async def backlog(session: AsyncSession, ctx: Context) -> dict[int, tuple[int, float]]:
    """Per lane: rows waiting (due or being sent) and the age in seconds of the oldest due one."""
    now = ctx.now()
    waiting = or_(and_(Outbox.status == PENDING, Outbox.not_before <= now), Outbox.status == SENDING)
    rows = (await session.execute(select(Outbox.lane, func.count(), func.min(Outbox.not_before))
                                  .where(waiting).group_by(Outbox.lane))).all()
    return {lane: (count, max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
            for lane, count, oldest in rows}


# --- the budget row (PostgreSQL replicas) -----------------------------------------------------------

async def hold_lease(session: AsyncSession, ctx: Context, name: str, holder: str, seconds: float) -> bool:
    """Take or renew the lease `name` for `holder`; False while another holder's lease runs."""
    now = ctx.now()
    insert = bulk.dialect_insert(session)(SendLease).values(name=name, holder=holder,
                                                           lease_until=now + timedelta(seconds=seconds))
    stmt = insert.on_conflict_do_update(
        index_elements=["name"], set_={"holder": insert.excluded.holder, "lease_until": insert.excluded.lease_until},
        where=or_(SendLease.holder == holder, SendLease.lease_until < now),
    ).returning(SendLease.holder)
    return (await session.execute(stmt)).first() is not None


async def drop_lease(session: AsyncSession, name: str, holder: str) -> None:
    await session.execute(SendLease.__table__.delete().where(SendLease.name == name, SendLease.holder == holder))


async def live_leases(session: AsyncSession, ctx: Context, prefix: str) -> int:
    return (await session.execute(select(func.count()).where(SendLease.name.startswith(prefix),
                                                            SendLease.lease_until >= ctx.now()))).scalar_one()


async def unreachable(session: AsyncSession, member_ids: set[int]) -> None:
    """Members Telegram refuses to reach (blocked, chat gone): skipped until they write again."""
    if member_ids:
        await session.execute(update(Member).where(Member.id.in_(member_ids)).values(reachable=False))


async def counts(session: AsyncSession) -> dict[str, int]:
    rows = (await session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))).all()
    out = {PENDING: 0, SENDING: 0, SENT: 0, DEAD: 0}
    out.update(dict(rows))
    return out


async def uncertain_total(session: AsyncSession) -> int:
    return (await session.execute(select(func.coalesce(func.sum(Outbox.uncertain_sends), 0)))).scalar_one()
