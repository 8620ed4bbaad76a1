"""Reception days (接待日): the one face handlers, the CLI, other features and tests use.

Inside: `models` (tables), `rules` (days, series and slots, who leads and who manages), `booking` (booking,
the waiting list and offers), `outcome` (what became of each matter), `wizard` (/newreception), `jobs`
(reminders, the agenda, the outcome sheet and the notices they send), `kpi` (figures).
"""
from __future__ import annotations

from storage.reception.booking import (BookResult, book, book_typed, cancel, choose, close_waitlists, confirm_offer,
                                       decline_offer, expire_offers, mine, slot_and_day)
from storage.reception.jobs import slot_params
from storage.reception.kpi import kpi_figures
from storage.reception.models import (BOOKED, OFFERED, OPEN, WAITING, Booking, ReceptionDay, ReceptionSeries,
                                      ReceptionSlot)
from storage.reception.outcome import record_absent, record_resolved, record_task, record_typed, target
from storage.reception.rules import (DEFAULT_NOTICE_DAYS, TOPIC_MAX, DaySpec, DayView, OwnDay, clean_topic, create,
                                     last_booking_day, leader_name, leaders, own_days, parse_date, parse_time,
                                     upcoming_for)
from storage.reception.wizard import answer, finish

__all__ = [
    "OwnDay",
    "last_booking_day",
    "own_days",
    "BOOKED", "BookResult", "Booking", "DEFAULT_NOTICE_DAYS", "DaySpec", "DayView", "OFFERED", "OPEN",
    "ReceptionDay", "ReceptionSeries", "ReceptionSlot", "TOPIC_MAX", "WAITING", "answer", "book", "book_typed",
    "cancel", "choose", "clean_topic", "close_waitlists", "confirm_offer", "create", "decline_offer",
    "expire_offers", "finish", "kpi_figures", "leader_name", "leaders", "mine", "parse_date", "parse_time",
    "record_absent", "record_resolved", "record_task", "record_typed", "slot_and_day", "slot_params", "target",
    "upcoming_for",
]
