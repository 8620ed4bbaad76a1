"""Callback data `<prefix>:<id>:<action>`: the one table of prefixes, and encode/parse.

Below storage and handlers alike: storage builds the buttons of queued messages, handlers decode presses.
A feature's own actions are encoded and decoded in one module beside this one (`messages.buttons.<feature>`).

A client can forge any callback data, so a handler re-checks on every press who may press it and whether
the object is still open; the data only says what was pressed.
"""
from __future__ import annotations

import re
from enum import StrEnum
from html import unescape


MAX_BYTES = 64
ID_MAX = 2**31 - 1  # what an INTEGER id column holds on PostgreSQL; no button carries a larger number
_NUMBERS = re.compile(r"\d+")


class Forged(ValueError):
    """Callback data no button of ours carries; the wrapper answers it as an expired button."""


class Prefix(StrEnum):
    TASK = "tsk"            # a task on the responsibility list: progress, done, confirm, return
    TASK_WIZARD = "tkw"     # /newtask steps
    TASK_LIST = "tsl"       # a page of /tasks: page number, whose list and which filter
    SURVEY = "svy"          # answering a survey
    SURVEY_WIZARD = "svw"   # /newsurvey steps
    FEEDBACK = "fbk"        # /feedback steps and the writer's ticket actions
    INBOX = "inb"           # a secretary's ticket actions
    LESSON = "les"          # learned, quiz
    QUIZ = "quz"            # quiz answers
    LESSON_WIZARD = "lsw"   # /newlesson steps
    RECEPTION = "rcp"       # booking a slot
    BOOKING = "bkg"         # a member's booking: cancel, confirm a waitlist offer
    RECEPTION_WIZARD = "rcw"  # /newreception steps and outcomes
    TARGET = "tgt"          # an early warning's "put a corrective measure on the responsibility list"
    ORGLIFE = "olm"         # a meeting: attend, leave, check in, the host's code; /newmeeting steps (olm:new:…)
    MEMBER = "mbr"          # /member: an admin deactivates a member (asks, confirms)
    PICK = "pck"            # a member or a unit picked from candidates, as if typed into the open flow
    AUDIENCE = "aud"        # an audience chosen with buttons, as if typed into the open flow


def data(prefix: Prefix, obj_id: int | str, action: str) -> str:
    value = f"{prefix.value}:{obj_id}:{action}"
    if len(value.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {value}")
    return value


def parse(value: str) -> tuple[str, str, str]:
    """(prefix, id, action); malformed data gives empty parts, which no handler accepts.

    No button the bot made carries a number past `ID_MAX` or digits other than 0-9, so such data is a forged
    press and is answered as an expired button (before any handler turns it into an int, and before a query
    where PostgreSQL would refuse it as out of range).
    """
    for number in _NUMBERS.findall(value or ""):
        if not number.isascii() or len(number) > 10 or int(number) > ID_MAX:
            raise Forged(value)
    parts = (value or "").split(":", 2)
    while len(parts) < 3:
        parts.append("")
    return parts[0], parts[1], parts[2]


def pattern(prefix: Prefix) -> str:
    return rf"^{prefix.value}:"


def button(text: str, prefix: Prefix, obj_id: int | str, action: str) -> dict:
    """One inline button as a plain dict (what the outbox stores and the Bot API takes).

    `text` is a rendered template, HTML-escaped; Telegram shows a button's label as plain text, so the
    escapes are undone here ("R&D" on the button, not "R&amp;D")."""
    return {"text": unescape(text), "callback_data": data(prefix, obj_id, action)}
