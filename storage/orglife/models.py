"""Organisational life (三会一课, 主题党日): the rhythm rules per kind, meetings, invitations and attendance.

An attendance row is unique per meeting and member (the database keeps "checks in once" true however many
presses arrive at the same second); a host's correction is written on that row with who and when.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime

PLANNED, CANCELLED = "planned", "cancelled"
ATTEND, LEAVE = "attend", "leave"
CODE, BUTTON, HOST = "code", "button", "host"


class OrglifeRule(Base):
    """An admin's setting for one kind; a kind with no row keeps its default (storage.orglife.rules.DEFAULTS)."""

    __tablename__ = "orglife_rules"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(16))  # "month" or "quarter"
    required: Mapped[int] = mapped_column(Integer)  # meetings per period per branch
    audience: Mapped[str | None] = mapped_column(String(500))  # None: the branch's Party members (or committee)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Meeting(Base):
    __tablename__ = "orglife_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300))
    topic: Mapped[str] = mapped_column(Text)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=PLANNED)
    checkin_open: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded_day: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded_hour: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The minutes: typed text, or a document (its Telegram file id and name); who sent them and when.
    minutes_text: Mapped[str | None] = mapped_column(Text)
    minutes_file_id: Mapped[str | None] = mapped_column(String(300))
    minutes_file_name: Mapped[str | None] = mapped_column(String(300))
    minutes_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    minutes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The make-up lesson (补学) of those who were not there; made once the meeting has ended with minutes.
    makeup_lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))


class Invitation(Base):
    """One member of the audience, fixed when the meeting is planned, and their answer."""

    __tablename__ = "orglife_invitations"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_orglife_invitations_meeting_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("orglife_meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    answer: Mapped[str | None] = mapped_column(String(16))
    leave_reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Attendance(Base):
    __tablename__ = "orglife_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_orglife_attendance_meeting_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("orglife_meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    via: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    corrected_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
