"""The outbox: one row per notification to send (possibly several messages in order), claimed with a lease.

`lane` orders sending (replies are never rows: they stay in memory); `inflight` is the index of the message
whose request may be on the wire, so a crash there is counted in `uncertain_sends` when the row is re-claimed.
`SendLease` is the budget row on PostgreSQL: the replica holding it sends the outbox, the others stand by.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime

PENDING, SENDING, SENT, DEAD = "pending", "sending", "sent", "dead"
# Highest first: the answer to whoever acted (in memory only), personal notices caused by someone's action,
# scheduled reminders and digests, broadcasts.
REPLY, NOTICE, SCHEDULED, BROADCAST = 0, 1, 2, 3
LANE_NAMES = {REPLY: "reply", NOTICE: "notice", SCHEDULED: "scheduled", BROADCAST: "broadcast"}


class Outbox(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),
                      Index("ix_outbox_lane_order", "status", "lane", "id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(64), default="message")
    lane: Mapped[int] = mapped_column(SmallInteger, default=NOTICE, server_default=str(NOTICE))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # {"messages": [{"method": "sendMessage", "params": {...}}, ...]} sent in order.
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    uncertain_sends: Mapped[int] = mapped_column(Integer, default=0)
    inflight: Mapped[int | None] = mapped_column(Integer)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_ids: Mapped[list | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


class SendLease(Base):
    """A named lease one process holds at a time: `outbox` (who sends) and `replica:<id>` (who is alive)."""

    __tablename__ = "send_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)
