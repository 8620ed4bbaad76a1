"""Surveys: the definition, who was asked (and whether they are done), answers in progress, and the answers.

Anonymity is in the shape of these tables. `survey_responses` and `survey_answers` have no column that
leads back to a person: a random id, the submission date only, and the department when the survey asked at
least `min_group_size` of its people (a smaller one could point at a handful). They are WITHOUT ROWID
tables on SQLite, so not even the storage order tells who submitted when. Who has completed lives apart in
`survey_completions` (only "done"), made for the whole audience when the survey opens, so its row order is
the audience's, not the order of submission. A submitted anonymous questionnaire waits sealed in
`survey_ballots` (same shape, no person) until enough have gathered to be counted together. Answers in
progress are kept under the member in `survey_progress` only until they are submitted. Named surveys link
a response to its member through `survey_named_responses`, which stays empty for anonymous ones.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime

KINDS = ("single", "multi", "rating", "scale10", "text")


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(1000))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    results_to_respondents: Mapped[bool] = mapped_column(Boolean, default=False)
    tag: Mapped[str | None] = mapped_column(String(64), index=True)
    reminder_max: Mapped[int] = mapped_column(Integer, default=2)
    reminder_gap_hours: Mapped[int] = mapped_column(Integer, default=24)
    reminder_last_days_before: Mapped[int] = mapped_column(Integer, default=1)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyQuestion(Base):
    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("survey_id", "position", name="uq_survey_questions_survey_id_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=True)


class SurveyCompletion(Base):
    """One row per member asked; `done` is all it says about them."""

    __tablename__ = "survey_completions"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyProgress(Base):
    """A member's answers until they submit (then deleted).

    The answers are `sealed` (AES-GCM from TONGXIN_SECRET, padded to one length per survey): this row names
    the member, so it never holds an answer in the clear. `answers` is what rows written before sealing kept.
    """

    __tablename__ = "survey_progress"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SurveyResponse(Base):
    """A submitted questionnaire: random id, department (if big enough) and date; nothing that names the person."""

    __tablename__ = "survey_responses"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    submitted_on: Mapped[date] = mapped_column(Date)


class SurveyBallot(Base):
    """A submitted anonymous questionnaire, sealed until it is counted with at least `min_group_size` others.

    Written in the transaction that marks the member done, so on PostgreSQL the two rows share a transaction
    id (`xmin`): that is why everything in it (department, date, answers) is `sealed`, padded to one length
    per survey, and only the survey is in the clear. The response rows are written later by the tick, in one
    transaction for the whole batch and in random order, so no answer in the clear shares anything with one
    member's completion. `unit_id`, `submitted_on` and `answers` are what ballots written before sealing kept.
    """

    __tablename__ = "survey_ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    submitted_on: Mapped[date | None] = mapped_column(Date)
    answers: Mapped[dict | None] = mapped_column(JSON)


class SurveyAnswer(Base):
    """One answered question of a response: an option index, a number, option indexes, or text."""

    __tablename__ = "survey_answers"
    __table_args__ = {"sqlite_with_rowid": False}

    response_id: Mapped[str] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"),
                                             primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"),
                                             primary_key=True, index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    choices: Mapped[list | None] = mapped_column(JSON)
    text: Mapped[str | None] = mapped_column(Text)


class SurveyNamedResponse(Base):
    """Only for named surveys: whose response this is (for the per-person export)."""

    __tablename__ = "survey_named_responses"

    response_id: Mapped[str] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"),
                                             primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
