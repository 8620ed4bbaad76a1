"""Key-value facts the process learns and the CLI reads back (the bot's username)."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.settings import Setting


async def get(session: AsyncSession, key: str) -> str | None:
    row = await session.get(Setting, key)
    return row.value if row else None


async def put(session: AsyncSession, key: str, value: str) -> None:
    row = await session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
