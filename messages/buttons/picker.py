"""Picking a member or a unit with a button instead of typing a code: `pck:<member id>:m.<step>`,
`pck:<unit id>:u.<step>`, `pck:0:none.<step>` (no unit). The press answers the open flow's question as if
typed, and only while the flow is still at `<step>` (the question the button came with)."""
from __future__ import annotations

from messages.buttons import Prefix, button, parse

MEMBER, UNIT, NONE = "m", "u", "none"


def member(text: str, member_id: int, step: str) -> dict:
    return button(text, Prefix.PICK, member_id, f"{MEMBER}.{step}")


def unit(text: str, unit_id: int, step: str) -> dict:
    return button(text, Prefix.PICK, unit_id, f"{UNIT}.{step}")


def none(text: str, step: str) -> dict:
    return button(text, Prefix.PICK, 0, f"{NONE}.{step}")


def read(data: str) -> tuple[str, str, str]:
    """(id as sent, kind, step) of a pressed pick; the caller checks all three."""
    _, obj_id, action = parse(data)
    kind, _, step = action.partition(".")
    return obj_id, kind, step
