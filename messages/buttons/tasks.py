"""The responsibility list's buttons, encoded and decoded here only.

`tsk:<task id>:<action>` on a task (the owner's progress and done, the secretary's confirm and return; open
its card, read its notes, nudge its owner), `tkw:0:<action>` on the /newtask preview (create, cancel), and
`tsl:<page>:<whose>.<filter>` on a page of /tasks (whose: mine or units; filter: all, overdue, week, reported).
"""
from __future__ import annotations

from messages.buttons import Forged, Prefix, button, parse

PROGRESS, DONE, CONFIRM, RETURN = "progress", "done", "confirm", "return"
NOTE_ACTIONS = (PROGRESS, DONE, RETURN)  # each asks for a note before it is recorded
CREATE, CANCEL = "create", "cancel"
OPEN, NOTES, NUDGE = "open", "notes", "nudge"
MINE, UNITS = "mine", "units"
FILTERS = ("all", "overdue", "week", "reported")


def task(text: str, task_id: int, action: str) -> dict:
    return button(text, Prefix.TASK, task_id, action)


def wizard(text: str, action: str) -> dict:
    return button(text, Prefix.TASK_WIZARD, 0, action)


def read(data: str) -> tuple[str, str]:
    """(task id as sent, action) of a pressed task or /newtask button; the caller checks both."""
    _, obj_id, action = parse(data)
    return obj_id, action


def page(text: str, number: int, whose: str, filter_: str) -> dict:
    return button(text, Prefix.TASK_LIST, number, f"{whose}.{filter_}")


def read_page(data: str) -> tuple[int, str, str]:
    """(page, whose, filter) of a pressed page button; anything else is a forged press."""
    _, number, action = parse(data)
    whose, _, filter_ = action.partition(".")
    if not number.isdigit() or whose not in (MINE, UNITS) or filter_ not in FILTERS:
        raise Forged(data)
    return int(number), whose, filter_
