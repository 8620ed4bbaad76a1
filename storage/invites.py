"""Invite codes: random, single use, expiring; only an HMAC of the code is stored."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.context import Context
from storage.models.org import Invite

# No 0/O, 1/I/L: codes get read aloud and typed on phones.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def code_hash(ctx: Context, code: str) -> str:
    return hmac.new(ctx.secret, normalise(code).encode(), hashlib.sha256).hexdigest()


def normalise(code: str) -> str:
    return code.strip().upper().replace("-", "")


def link(ctx: Context, code: str) -> str:
    return f"https://t.me/{ctx.bot_username}?start={code}" if ctx.bot_username else ""


async def issue(session: AsyncSession, ctx: Context, member_id: int) -> str:
    """A fresh code for the member; earlier unused codes stop working."""
    await session.execute(
        update(Invite).where(Invite.member_id == member_id, Invite.used_at.is_(None)).values(revoked=True)
    )
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    now = ctx.now()
    session.add(Invite(member_id=member_id, code_hash=code_hash(ctx, code), created_at=now,
                       expires_at=now + timedelta(days=ctx.invite_days)))
    return code


async def issue_many(session: AsyncSession, ctx: Context, member_ids: list[int]) -> dict[int, str]:
    """`issue` for many members at once (a roster import): one UPDATE and one batched INSERT."""
    if not member_ids:
        return {}
    await session.execute(
        update(Invite).where(Invite.member_id.in_(member_ids), Invite.used_at.is_(None)).values(revoked=True)
    )
    now = ctx.now()
    codes = {mid: "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH)) for mid in member_ids}
    await session.execute(insert(Invite), [
        {"member_id": mid, "code_hash": code_hash(ctx, code), "created_at": now, "revoked": False,
         "expires_at": now + timedelta(days=ctx.invite_days)} for mid, code in codes.items()])
    return codes
