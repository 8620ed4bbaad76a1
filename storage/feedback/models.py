"""Feedback tickets (意见反馈), their threads, the sealed reply routes and the monthly digests.

Anonymity is a property of these rows: a ticket keeps no member id (unless the writer chose to sign it),
no Telegram id, a random number and dates only for everything the writer does. The only way back to the
writer is `FeedbackRoute.sealed`, encrypted with a key derived from TONGXIN_SECRET, deleted after retention.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime

OPEN, ASSIGNED, ANSWERED, RESOLVED, UNRESOLVED = "open", "assigned", "answered", "resolved", "unresolved"
CLOSED_STATES = (RESOLVED, UNRESOLVED)
LIVE_STATES = (OPEN, ASSIGNED, ANSWERED)


class FeedbackTicket(Base):
    __tablename__ = "feedback_tickets"

    # The random ticket number the writer sees (no sequence: ids must not order anonymous writers).
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    # Only for tickets the writer chose to sign; NULL for every anonymous ticket.
    writer_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    # The writer's department: kept for anonymous tickets only when it has at least min_unit_size members.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    attachment_kind: Mapped[str | None] = mapped_column(String(16))
    attachment_file_id: Mapped[str | None] = mapped_column(String(255))
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=OPEN, index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    deadline_on: Mapped[date] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_in_time: Mapped[bool | None] = mapped_column(Boolean)
    escalated_on: Mapped[date | None] = mapped_column(Date)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    closed_on: Mapped[date | None] = mapped_column(Date)
    rating: Mapped[int | None] = mapped_column(Integer)
    root_cause: Mapped[str | None] = mapped_column(Text)
    # Why the office closed it unresolved (typed and confirmed; the writer is told it).
    close_reason: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(Text)
    pdca_done: Mapped[bool] = mapped_column(Boolean, default=False)
    task_id: Mapped[int | None] = mapped_column(Integer)


class FeedbackTicketUnit(Base):
    """The units responsible for a ticket (from the category's routing when it arrived): who sees it."""

    __tablename__ = "feedback_ticket_units"

    ticket_id: Mapped[str] = mapped_column(ForeignKey("feedback_tickets.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True)


class FeedbackMessage(Base):
    """One message in a ticket's thread. The office's messages name the secretary (accountability inside the
    office); the writer's never name anyone and carry the date only."""

    __tablename__ = "feedback_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("feedback_tickets.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(16))  # "writer" | "office"
    kind: Mapped[str] = mapped_column(String(16))    # "text" | "reply" | "question"
    staff_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    day: Mapped[date] = mapped_column(Date)


class FeedbackRoute(Base):
    """The sealed way back to a ticket's writer (AES-GCM under a key derived from TONGXIN_SECRET)."""

    __tablename__ = "feedback_routes"

    ticket_id: Mapped[str] = mapped_column(ForeignKey("feedback_tickets.id", ondelete="CASCADE"), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Set when the ticket closes (closed_on + retention); cleared when it is reopened.
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)


class FeedbackDigest(Base):
    """One row per month whose "you said, we did" digest has been queued: a restart never sends it twice."""

    __tablename__ = "feedback_digests"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-11"
    tickets: Mapped[int] = mapped_column(Integer)
    recipients: Mapped[int] = mapped_column(Integer)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeedbackAuditQueue(Base):
    """An anonymous writer's actions, waiting for the day to end before they enter the audit trail.

    Written straight into `audit_events`, their sequential ids would sit between the identified events of
    that moment (the writer's own among them); moved over in a shuffled batch the next day, they carry the
    date only and their place in the trail says nothing."""

    __tablename__ = "feedback_audit_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date, index=True)


class FeedbackPending(Base):
    """A writer's action (a new ticket, an answer back, resolved, reopened, a rating), sealed until the tick
    applies it.

    The writer's own transaction also clears their dialog and may touch their member row; anything in the
    clear that it wrote or rewrote (a ticket, its text) would share that transaction's id. So it writes only
    this: a random id and AES-GCM of everything (who, which ticket, what), padded to one length. The tick
    applies every waiting action in one transaction, in random order (`storage.feedback.pending`).
    """

    __tablename__ = "feedback_pending"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
