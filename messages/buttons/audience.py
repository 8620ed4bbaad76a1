"""Choosing an audience with buttons: `aud:0:all`, `aud:0:party`, `aud:0:units|branches|roles` (open the list),
`aud:<unit id>:u`, `aud:<unit id>:b`, `aud:0:r.<role>`. A final choice answers the open flow's audience question
as if its audience had been typed (`storage.picker.audience_for`)."""
from __future__ import annotations

from messages import render
from messages.buttons import Prefix, button, parse

ALL, PARTY, UNITS, BRANCHES, ROLES_LIST, UNIT, BRANCH, ROLE = "all", "party", "units", "branches", "roles", "u", "b", "r."
LISTS = (UNITS, BRANCHES, ROLES_LIST)
STEP = "audience"  # every flow that asks for an audience calls that step so; a press elsewhere is stale


def _b(lang: str, name: str, obj_id: int, action: str) -> dict:
    return button(render(lang, "audience_button", name=name), Prefix.AUDIENCE, obj_id, action)


def choices(lang: str, everyone: bool = True) -> list[list[dict]]:
    """全体 / 党员 (when `everyone`), then 部门… / 支部… / 角色…."""
    rows = [[_b(lang, ALL, 0, ALL), _b(lang, PARTY, 0, PARTY)]] if everyone else []
    return rows + [[_b(lang, UNITS, 0, UNITS), _b(lang, BRANCHES, 0, BRANCHES), _b(lang, ROLES_LIST, 0, ROLES_LIST)]]


def unit(text: str, unit_id: int, branch: bool) -> dict:
    return button(text, Prefix.AUDIENCE, unit_id, BRANCH if branch else UNIT)


def role(text: str, name: str) -> dict:
    return button(text, Prefix.AUDIENCE, 0, ROLE + name)


def read(data: str) -> tuple[str, str]:
    _, obj_id, action = parse(data)
    return obj_id, action
