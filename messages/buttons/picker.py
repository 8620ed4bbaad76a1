"""Picking a member or a unit with a button instead of typing a code: `pck:<member id>:m`,
`pck:<unit id>:u`, `pck:0:none` (no unit). The press answers the open flow's question as if typed."""
from __future__ import annotations

from messages.buttons import Prefix, button, parse

MEMBER, UNIT, NONE = "m", "u", "none"


def member(text: str, member_id: int) -> dict:
    return button(text, Prefix.PICK, member_id, MEMBER)


def unit(text: str, unit_id: int) -> dict:
    return button(text, Prefix.PICK, unit_id, UNIT)


def none(text: str) -> dict:
    return button(text, Prefix.PICK, 0, NONE)


def read(data: str) -> tuple[str, str]:
    """(id as sent, kind) of a pressed pick; the caller checks both."""
    _, obj_id, kind = parse(data)
    return obj_id, kind
