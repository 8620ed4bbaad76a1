"""The responsibility list's buttons, encoded and decoded here only.

`tsk:<task id>:<action>` on a task (the owner's progress and done, the secretary's confirm and return), and
`tkw:0:<action>` on the /newtask preview (create, cancel).
"""
from __future__ import annotations

from messages.buttons import Prefix, button, parse

PROGRESS, DONE, CONFIRM, RETURN = "progress", "done", "confirm", "return"
NOTE_ACTIONS = (PROGRESS, DONE, RETURN)  # each asks for a note before it is recorded
CREATE, CANCEL = "create", "cancel"


def task(text: str, task_id: int, action: str) -> dict:
    return button(text, Prefix.TASK, task_id, action)


def wizard(text: str, action: str) -> dict:
    return button(text, Prefix.TASK_WIZARD, 0, action)


def read(data: str) -> tuple[str, str]:
    """(task id as sent, action) of a pressed task or /newtask button; the caller checks both."""
    _, obj_id, action = parse(data)
    return obj_id, action
