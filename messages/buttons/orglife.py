"""Organisational life's newer buttons, encoded and decoded here only (the invitation's own
`olm:<meeting id>:attend|leave|checkin|code|open|minutes` are plain actions):

- the attendance card: `olm:<meeting id>:roll` opens it, `olm:<meeting id>:r<page>` turns a page,
  `olm:<meeting id>:s<member id>.<p|l|a>.<page>` marks one invitee present, on leave or absent;
- /orglife's branch choice: `olm:year:<unit id>`.
"""
from __future__ import annotations

import re

from messages.buttons import Prefix, button

ROLL, YEAR = "roll", "year"
STATUS = {"p": "present", "l": "leave", "a": "absent"}
CODE = {v: k for k, v in STATUS.items()}
_PAGE = re.compile(r"r(\d{1,4})")
_MARK = re.compile(r"s(\d{1,19})\.([pla])\.(\d{1,4})")


def roll(text: str, meeting_id: int) -> dict:
    return button(text, Prefix.ORGLIFE, meeting_id, ROLL)


def page(text: str, meeting_id: int, number: int) -> dict:
    return button(text, Prefix.ORGLIFE, meeting_id, f"r{number}")


def mark(text: str, meeting_id: int, member_id: int, status: str, number: int) -> dict:
    return button(text, Prefix.ORGLIFE, meeting_id, f"s{member_id}.{CODE[status]}.{number}")


def year(text: str, unit_id: int) -> dict:
    return button(text, Prefix.ORGLIFE, YEAR, str(unit_id))


def read_card(action: str) -> tuple[int, int | None, str | None] | None:
    """(page, member id, status) of a card press (member and status None for opening or turning a page);
    None when the action is not the card's."""
    if action == ROLL:
        return 0, None, None
    if m := _PAGE.fullmatch(action):
        return int(m.group(1)), None, None
    if m := _MARK.fullmatch(action):
        return int(m.group(3)), int(m.group(1)), STATUS[m.group(2)]
    return None
