"""A target (目标) per indicator and scope: a value to reach by a date, and where it started (the baseline)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class Target(Base):
    __tablename__ = "kpi_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)  # the indicator, kpi.Measure.key
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)  # None: the organisation
    value: Mapped[float] = mapped_column(Float)  # "%" as a fraction, like the figure
    due_on: Mapped[date] = mapped_column(Date)
    baseline: Mapped[float | None] = mapped_column(Float, nullable=True)  # the figure over the 30 days before
    # Worse than the 30 days before by more than this warns (as the figure holds it; None: the indicator's).
    margin: Mapped[float | None] = mapped_column(Float, nullable=True)
    set_on: Mapped[date] = mapped_column(Date)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
