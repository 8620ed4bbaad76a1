"""Multi-step chat flows keep their place here, so a restart or another replica resumes them."""
from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.context import Context
from storage.models.dialogs import Dialog


async def get(session: AsyncSession, member_id: int) -> Dialog | None:
    return await session.get(Dialog, member_id)


async def start(session: AsyncSession, ctx: Context, member_id: int, kind: str, step: str,
                data: dict | None = None) -> Dialog:
    dialog = await session.get(Dialog, member_id)
    if dialog is None:
        dialog = Dialog(member_id=member_id, kind=kind, step=step, data=data or {}, updated_at=ctx.now())
        session.add(dialog)
    else:
        dialog.kind, dialog.step, dialog.data, dialog.updated_at = kind, step, dict(data or {}), ctx.now()
    return dialog


async def advance(session: AsyncSession, ctx: Context, dialog: Dialog, step: str, **data) -> Dialog:
    dialog.step = step
    dialog.data = {**dialog.data, **data}  # a new dict, so the JSON column sees the change
    dialog.updated_at = ctx.now()
    return dialog


async def clear(session: AsyncSession, member_id: int) -> None:
    await session.execute(delete(Dialog).where(Dialog.member_id == member_id))
