"""The /member card's buttons, encoded and decoded here only: `mbr:<member id>:<action>`.

An admin presses "deactivate" (`off`), then confirms (`offyes`) or keeps the member (`keep`). `show` opens a candidate's card
(/member NAME); `nameon`/`nameoff` on /me name the member on the points board or stop.
"""
from __future__ import annotations

from messages.buttons import Prefix, button, parse

ASK, CONFIRM, KEEP = "off", "offyes", "keep"
SHOW = "show"  # a candidate of /member NAME: open that member's card
NAME_ON, NAME_OFF = "nameon", "nameoff"  # /me: be named on the branch's points board, or not


def member(text: str, member_id: int, action: str) -> dict:
    return button(text, Prefix.MEMBER, member_id, action)


def read(data: str) -> tuple[str, str]:
    """(member id as sent, action) of a pressed /member button; the caller checks both."""
    _, obj_id, action = parse(data)
    return obj_id, action
