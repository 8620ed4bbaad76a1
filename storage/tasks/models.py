"""The responsibility list (责任清单): tasks, their cooperating units and their notes.

`next_reminder_at` and `reminder_stage` are the reminder schedule itself (the scheduler only ticks): the
producer picks tasks whose next reminder is due, so a tick costs what is due, not the size of the list.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime

OPEN, IN_PROGRESS, REPORTED, DONE, CANCELLED = "open", "in_progress", "reported", "done", "cancelled"
STATUSES = (OPEN, IN_PROGRESS, REPORTED, DONE, CANCELLED)
ACTIVE = (OPEN, IN_PROGRESS)  # the owner still has to act: these are reminded


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_next_reminder_at", "next_reminder_at"),
                      Index("ix_tasks_status_deadline", "status", "deadline_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_no: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    # Where the task came from when not from the list itself, e.g. `reception:12`, `feedback:ab12`.
    source: Mapped[str | None] = mapped_column(String(100))
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    # The deadline as the organisation wrote it (local date, optional time) and as the moment it passes.
    due_date: Mapped[date] = mapped_column(Date)
    due_time: Mapped[time | None] = mapped_column(Time)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    completion_note: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Reminder schedule: the last stage enqueued (-1: none yet), when the next one is due (None: no more),
    # and the one-time alerts to the lead unit's secretaries and to the admins.
    reminder_stage: Mapped[int] = mapped_column(Integer, default=-1)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last nudge (催办) and who sent it: an owner is nudged about a task at most once a (local) day.
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nudged_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TaskUnit(Base):
    """A cooperating unit (配合部门) of a task."""

    __tablename__ = "task_units"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class TaskNote(Base):
    """Progress notes, completion notes, confirmations and returns, with author and time."""

    __tablename__ = "task_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))  # progress, done, confirm, return, cancel, nudge
    text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Evidence sent with a progress or done note: Telegram's file id (re-sent, never downloaded) and its kind.
    evidence_kind: Mapped[str | None] = mapped_column(String(16))  # photo, document
    evidence_file_id: Mapped[str | None] = mapped_column(String(255))
    evidence_name: Mapped[str | None] = mapped_column(String(255))
