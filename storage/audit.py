"""Appends to the audit trail. Anonymous actions are recorded with no actor."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.context import Context
from storage.models.audit import AuditEvent


def record(session: AsyncSession, ctx: Context, action: str, object_type: str, object_id=None,
           actor_id: int | None = None, **detail) -> None:
    session.add(AuditEvent(at=ctx.now(), actor_member_id=actor_id, action=action, object_type=object_type,
                           object_id=None if object_id is None else str(object_id), detail=detail or None))
