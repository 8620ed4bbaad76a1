"""The organisation's holiday list: dates that are not what their weekday says (public holidays on weekdays,
and weekend days worked instead, 调休), loaded by an admin with `calendar holidays FILE`."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class CalendarDay(Base):
    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean, default=False)  # False: a day off; True: a 调休 working day
    name: Mapped[str] = mapped_column(String(100), default="")
