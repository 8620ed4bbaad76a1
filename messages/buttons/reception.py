"""Reception days' buttons, encoded and decoded here only.

`rcp:<slot>:<action>` on a day's slots (book, wait); `bkg:<booking>:<action>` on a member's booking (cancel,
and confirm / decline of a waitlist offer); `rcw:<id>:<action>` on the /newreception steps and the outcome
sheet a leader fills in after the day (resolved, to a task, absent).
"""
from __future__ import annotations

from messages.buttons import Prefix, button, parse

BOOK, WAIT = "book", "wait"
CANCEL, CONFIRM, DECLINE = "cancel", "confirm", "decline"
RESOLVED, TASK, ABSENT = "res", "task", "absent"


def slot(text: str, slot_id: int, action: str) -> dict:
    return button(text, Prefix.RECEPTION, slot_id, action)


def booking(text: str, booking_id: int, action: str) -> dict:
    return button(text, Prefix.BOOKING, booking_id, action)


def wizard(text: str, obj: int | str, action: str) -> dict:
    return button(text, Prefix.RECEPTION_WIZARD, obj, action)


def read(data: str) -> tuple[str, str]:
    """(id as sent, action) of a pressed reception button; the caller checks both."""
    _, obj, action = parse(data)
    return obj, action
