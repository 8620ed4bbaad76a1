"""Micro-lessons (微党课): the lesson, who it was pushed to, quiz attempts and the points ledger.

The audience is snapshotted into `lesson_assignments` when the lesson is published (with each member's
unit and branch at that moment), so coverage is learned / audience of that snapshot and stays stable
when people later move between branches.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime

SCHEDULED, PUBLISHED = "scheduled", "published"


class Lesson(Base):
    __tablename__ = "lessons"
    __table_args__ = (Index("ix_lessons_due", "status", "publish_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # The Markdown as the author wrote it (body without the title and the quiz section).
    body: Mapped[str] = mapped_column(Text)
    # [{"q": str, "options": [str], "answer": int, "explanation": str | None}]
    quiz: Mapped[list] = mapped_column(JSON, default=list)
    audience: Mapped[str] = mapped_column(String(500))
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_on: Mapped[date | None] = mapped_column(Date)
    min_read_seconds: Mapped[int] = mapped_column(Integer)
    pass_percent: Mapped[int] = mapped_column(Integer, default=60)
    remind_after_days: Mapped[int] = mapped_column(Integer, default=2)
    remind_before_due_days: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default=SCHEDULED)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Computed when published, so the reminder producer filters in SQL.
    remind_after_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remind_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LessonAssignment(Base):
    """One member of a published lesson's audience: delivery, learning, quiz score, reminders."""

    __tablename__ = "lesson_assignments"
    __table_args__ = (UniqueConstraint("lesson_id", "member_id", name="uq_lesson_assignments_lesson_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    branch_id: Mapped[int | None] = mapped_column(Integer)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the push was written to the outbox (None: the member had no chat yet; caught up later).
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    learned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    learned_via: Mapped[str | None] = mapped_column(String(8))
    # Question indexes answered right in any attempt; retrying wrong questions adds to it.
    quiz_right: Mapped[list] = mapped_column(JSON, default=list)
    first_score: Mapped[int | None] = mapped_column(Integer)  # percent, first complete attempt
    score: Mapped[int | None] = mapped_column(Integer)  # percent, right answers so far
    reminded_after_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QuizAttempt(Base):
    """One pass through the quiz (all questions, or only the ones still wrong), one question at a time."""

    __tablename__ = "lesson_quiz_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("lesson_assignments.id", ondelete="CASCADE"),
                                               index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    questions: Mapped[list] = mapped_column(JSON)  # question indexes in the order asked
    position: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[list] = mapped_column(JSON, default=list)  # [[question, chosen, right], ...]
    first: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LessonPoints(Base):
    """The points ledger: one row per (member, lesson, reason), trimmed to the daily cap when written."""

    __tablename__ = "lesson_points"
    __table_args__ = (
        UniqueConstraint("member_id", "lesson_id", "reason", name="uq_lesson_points_member_lesson_reason"),
        Index("ix_lesson_points_member_day", "member_id", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))  # learned, quiz, full_marks
    earned: Mapped[int] = mapped_column(Integer)  # before the cap
    points: Mapped[int] = mapped_column(Integer)  # credited
    day: Mapped[date] = mapped_column(Date)  # local day, for the daily cap
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LessonNudge(Base):
    """A staff member's "remind everyone who has not studied" (一键提醒) of one lesson, for their scope.

    `scope` names whose members were reminded ("all" for an admin, "units:<ids>" for a secretary's
    department and branch), so a lesson is reminded at most once a local day per scope, and who pressed
    it stays on record."""

    __tablename__ = "lesson_nudges"
    __table_args__ = (UniqueConstraint("lesson_id", "scope", "day", name="uq_lesson_nudges_lesson_scope_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(100))
    day: Mapped[date] = mapped_column(Date)  # local day
    by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reminded: Mapped[int] = mapped_column(Integer, default=0)  # how many members were queued a reminder


class LessonBoardName(Base):
    """A member who chose to be named on their branch's points board (/lessons); absent means not named."""

    __tablename__ = "lesson_board_names"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
