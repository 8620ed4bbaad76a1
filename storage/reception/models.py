"""Leader reception days (领导接待日): recurring series, days, their slots and the bookings on them.

A slot's `booked` counts the places taken (confirmed bookings and waitlist offers on hold); the database
keeps it within `capacity` (a check constraint) and a booking takes a place with a conditional UPDATE.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime

# Booking states. ACTIVE ones count towards "one booking per member per day".
BOOKED, OFFERED, WAITING = "booked", "offered", "waiting"
CANCELLED, LAPSED, DECLINED = "cancelled", "lapsed", "declined"
ACTIVE = (BOOKED, OFFERED, WAITING)
HOLDING = (BOOKED, OFFERED)  # states that hold a place in the slot

# Outcomes recorded after the meeting.
RESOLVED, TASK, ABSENT = "resolved", "task", "absent"

OPEN, DAY_CANCELLED = "open", "cancelled"


class ReceptionSeries(Base):
    """A recurring reception day (monthly on a day of the month, or weekly on a weekday); days are
    generated `ahead` at a time so members can book them."""

    __tablename__ = "reception_series"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    rule: Mapped[str] = mapped_column(String(16))  # "monthly" or "weekly"
    rule_value: Mapped[int] = mapped_column(Integer)  # day of month 1-31, or weekday 1 (Mon) - 7 (Sun)
    first_date: Mapped[date] = mapped_column(Date)
    start_minute: Mapped[int] = mapped_column(Integer)  # local minutes after midnight
    end_minute: Mapped[int] = mapped_column(Integer)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    notice_days: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(500))
    ahead: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReceptionDay(Base):
    __tablename__ = "reception_days"
    __table_args__ = (UniqueConstraint("series_id", "day", name="uq_reception_days_series_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("reception_series.id"), index=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    notice_days: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    # The agenda goes out the evening before and again whenever it changes: every change bumps the
    # version; the producer sends when the version it last sent differs.
    agenda_version: Mapped[int] = mapped_column(Integer, default=0)
    agenda_sent_version: Mapped[int | None] = mapped_column(Integer)
    outcome_sheet_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReceptionSlot(Base):
    __tablename__ = "reception_slots"
    __table_args__ = (
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        UniqueConstraint("day_id", "position", name="uq_reception_slots_day_position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("reception_days.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class Booking(Base):
    """A member's booking or waitlist place on a slot, and afterwards what became of the matter."""

    __tablename__ = "reception_bookings"
    __table_args__ = (
        # One active booking (or waitlist place, or offer) per member per day, enforced by the database.
        Index("uq_reception_bookings_active_day_member", "day_id", "member_id", unique=True,
              sqlite_where=text("status IN ('booked', 'offered', 'waiting')"),
              postgresql_where=text("status IN ('booked', 'offered', 'waiting')")),
        Index("ix_reception_bookings_slot_status", "slot_id", "status"),
        Index("ix_reception_bookings_status_offer", "status", "offer_expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("reception_days.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("reception_slots.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    topic: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_day: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded_hour: Mapped[bool] = mapped_column(Boolean, default=False)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    # The task on the responsibility list the matter became (the tasks feature owns that table).
    task_id: Mapped[int | None] = mapped_column(Integer)
    outcome_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
