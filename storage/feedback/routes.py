"""The sealed way back to a ticket's writer, and the sealing of a writer's half-finished input.

A route is AES-GCM over `{"m": member_id}` with a fresh nonce, the ticket number as associated data (a
route cannot be moved to another ticket) and a key derived from TONGXIN_SECRET with HKDF. There is no
lookup tag: finding "my tickets" means opening the live routes with the secret, so without it two tickets
of one writer cannot even be linked to each other. Deleting the route is the end of the way back.
"""
from __future__ import annotations

import base64
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import sealing
from storage.context import Context
from storage.feedback.models import FeedbackRoute, FeedbackTicket


def seal(ctx: Context, purpose: bytes, value: dict, aad: bytes = b"", size: int = 0) -> bytes:
    return sealing.seal(ctx.secret, purpose, value, aad, size)


def unseal(ctx: Context, purpose: bytes, blob: bytes, aad: bytes = b"") -> dict | None:
    return sealing.unseal(ctx.secret, purpose, blob, aad)


# --- routes --------------------------------------------------------------------------------------------

ROUTE = b"route"


def new_route(ctx: Context, ticket_id: str, member_id: int) -> FeedbackRoute:
    return FeedbackRoute(ticket_id=ticket_id, sealed=seal(ctx, ROUTE, {"m": member_id}, ticket_id.encode()))


def _writer(ctx: Context, ticket_id: str, sealed: bytes) -> int | None:
    value = unseal(ctx, ROUTE, sealed, ticket_id.encode())
    return value.get("m") if value else None


def writer_of(ctx: Context, route: FeedbackRoute | None) -> int | None:
    return None if route is None else _writer(ctx, route.ticket_id, route.sealed)


async def writer_id(session: AsyncSession, ctx: Context, ticket_id: str) -> int | None:
    """The member behind a ticket, or None once the route is gone."""
    return writer_of(ctx, await session.get(FeedbackRoute, ticket_id))


async def tickets_of(session: AsyncSession, ctx: Context, member_id: int,
                     received_on: date | None = None) -> list[FeedbackTicket]:
    """The member's tickets that still have a route, newest first.

    Opens every live route (only the sealed bytes are read; the tickets that match are loaded after).
    """
    stmt = select(FeedbackRoute.ticket_id, FeedbackRoute.sealed)
    if received_on is not None:
        stmt = stmt.join(FeedbackTicket, FeedbackTicket.id == FeedbackRoute.ticket_id).where(
            FeedbackTicket.received_on == received_on)
    mine = [tid for tid, sealed in (await session.execute(stmt)).all() if _writer(ctx, tid, sealed) == member_id]
    if not mine:
        return []
    tickets = list((await session.execute(select(FeedbackTicket).where(FeedbackTicket.id.in_(mine)))).scalars())
    tickets.sort(key=lambda t: (t.received_on, t.id), reverse=True)
    return tickets


async def expire(session: AsyncSession, today: date) -> int:
    """Delete routes past retention: after this, not even TONGXIN_SECRET leads back to the writer."""
    result = await session.execute(delete(FeedbackRoute).where(FeedbackRoute.expires_on <= today))
    return result.rowcount or 0


# --- a writer's input in progress (kept in the dialog row, which names the member) -----------------------

DRAFT = b"draft"


def seal_draft(ctx: Context, member_id: int, value: dict) -> dict:
    """Dialog data for a writer: sealed, so the dialog row does not pair the member with a ticket or a text."""
    blob = seal(ctx, DRAFT, value, str(member_id).encode())
    return {"sealed": base64.b64encode(blob).decode()}


def open_draft(ctx: Context, member_id: int, data: dict | None) -> dict:
    raw = (data or {}).get("sealed")
    if not raw:
        return {}
    return unseal(ctx, DRAFT, base64.b64decode(raw), str(member_id).encode()) or {}
