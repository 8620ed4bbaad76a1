"""Micro-lessons' buttons, encoded and decoded here only.

`les:<lesson>:<action>` under a pushed lesson (learned, quiz, open), and for staff under /lessons's coverage
(unlearned: who has not studied; nudge: remind them all); `quz:<attempt>:<position>.<option>` for a
quiz answer and `quz:<attempt>:retry` for practice; `lsw:0:<step>` on the /newlesson steps (an audience by
its index, a time choice, a due choice, publish, cancel).
"""
from __future__ import annotations

from messages.buttons import Prefix, button, parse

LEARNED, QUIZ, OPEN, RETRY, PUBLISH, CANCEL = "learned", "quiz", "open", "retry", "publish", "cancel"
_AUDIENCE, _TIME, _DUE = "a", "t-", "d-"
UNLEARNED, NUDGE = "unlearned", "nudge"
# Registered before the other `les:` presses, so the coverage actions reach their own handler.
COVERAGE_PATTERN = rf"^{Prefix.LESSON.value}:[^:]*:({UNLEARNED}|{NUDGE})$"


def lesson(text: str, lesson_id: int, action: str) -> dict:
    return button(text, Prefix.LESSON, lesson_id, action)


def quiz(text: str, attempt_id: int, action: str) -> dict:
    return button(text, Prefix.QUIZ, attempt_id, action)


def wizard(text: str, action: str) -> dict:
    return button(text, Prefix.LESSON_WIZARD, 0, action)


def answer(position: int, option: int) -> str:
    return f"{position}.{option}"


def audience(index: int) -> str:
    return f"{_AUDIENCE}{index}"


def time_choice(choice: str) -> str:
    return f"{_TIME}{choice}"


def due_choice(choice: str) -> str:
    return f"{_DUE}{choice}"


def read(data: str) -> tuple[str, str]:
    """(id as sent, action) of a pressed lesson, quiz or /newlesson button; the caller checks both."""
    _, obj, action = parse(data)
    return obj, action


def read_answer(action: str) -> tuple[str, str]:
    """(position, option) as sent; the caller turns them into numbers and checks them."""
    position, _, option = action.partition(".")
    return position, option


def read_wizard(action: str) -> tuple[str, str]:
    """(step, value): ("audience", "3"), ("time", "now"), ("due", "7d"), or (action, "") for the others."""
    if action.startswith(_AUDIENCE) and action[len(_AUDIENCE):].isdigit():
        return "audience", action[len(_AUDIENCE):]
    if action.startswith(_TIME):
        return "time", action[len(_TIME):]
    if action.startswith(_DUE):
        return "due", action[len(_DUE):]
    return action, ""
