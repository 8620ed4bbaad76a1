"""The update inbox: every update received, keyed by Telegram's `update_id`, until a day after it was handled.

No column names anyone: the update waits sealed (padded, so its length says nothing) and is erased in the
transaction that handles it; what stays is the id, the status and the day it arrived.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class InboxUpdate(Base):
    __tablename__ = "inbox_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(8))  # pending | handled
    received_on: Mapped[date] = mapped_column(Date)
    # Who may handle a pending update until when; cleared when it is handled.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    __table_args__ = (Index("ix_inbox_updates_status_received_on", "status", "received_on"),)
