"""Invite codes: random, single use, expiring; only an HMAC of the code is stored."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import update
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
