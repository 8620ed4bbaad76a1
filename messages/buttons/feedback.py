"""Feedback's buttons, encoded and decoded here only.

`fbk:new:<step>` on the /feedback steps (a category, submit anonymously / with the department / signed,
cancel); `fbk:<ticket>:<action>` on the writer's ticket (view, reply, resolve, reopen, a rating);
`inb:<ticket>:<action>` on the office's (view, take, reply, ask, answered, resolve, skip, close and its
confirmation, file, task).
"""
from __future__ import annotations

from messages.buttons import Prefix, button, parse

NEW = "new"  # the /feedback steps have no ticket yet
_CATEGORY, _RATE = "cat-", "rate"


def writer(text: str, obj: str, action: str) -> dict:
    return button(text, Prefix.FEEDBACK, obj, action)


def office(text: str, ticket_id: str, action: str) -> dict:
    return button(text, Prefix.INBOX, ticket_id, action)


def category(key: str) -> str:
    return f"{_CATEGORY}{key}"


def rate(stars: int) -> str:
    return f"{_RATE}{stars}"


def read(data: str) -> tuple[str, str]:
    """(ticket number or NEW, action) of a pressed feedback or inbox button; the caller checks both."""
    _, obj, action = parse(data)
    return obj, action


def read_category(action: str) -> str | None:
    return action[len(_CATEGORY):] if action.startswith(_CATEGORY) else None


def read_rate(action: str) -> int | None:
    stars = action[len(_RATE):]
    return int(stars) if action.startswith(_RATE) and stars.isascii() and stars.isdigit() else None
