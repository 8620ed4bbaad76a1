"""A task's colour as it stood at a past moment (the end of the report's period), from its history notes.

A task keeps its current status only; what happened when is in its notes (`done` report, `confirm`,
`return` to the owner, `cancel`), each with its time. Replaying the notes up to the moment gives the
status then; the deadline decides the colour of a task still open then, and the done report's time whether
it was done on time. What cannot be replayed: a deadline or owner changed by a file import (no note is
written; the current ones are used), and tasks written straight into the table without notes (their
current fields are used as a fallback).
"""
from __future__ import annotations

from datetime import datetime

from storage import tasks
from storage.context import Context

EVENTS = ("done", "confirm", "return", "cancel")


def status_at(task, events: list[tuple[str, datetime]], moment: datetime) -> tuple[str, datetime | None]:
    """(status, time of the standing done report) at `moment`, replaying `events` (kind, at), oldest first."""
    if not events:  # no history written: the current fields are all there is
        if task.status == tasks.CANCELLED:
            return (tasks.CANCELLED if task.updated_at <= moment else tasks.OPEN), None
        if task.reported_at is not None and task.reported_at <= moment:
            confirmed = task.confirmed_at is not None and task.confirmed_at <= moment
            return (tasks.DONE if confirmed and task.status == tasks.DONE else tasks.REPORTED), task.reported_at
        return tasks.OPEN, None
    status, reported = tasks.OPEN, None
    for kind, at in events:
        if at > moment:
            break
        if kind == "done":
            status, reported = tasks.REPORTED, at
        elif kind == "confirm":
            status = tasks.DONE
        elif kind == "return":
            status, reported = tasks.OPEN, None
        elif kind == "cancel":
            status = tasks.CANCELLED
    return status, reported


def state_at(task, events: list[tuple[str, datetime]], moment: datetime, ctx: Context) -> str:
    """The colour key of the responsibility list at `moment`: done on time or late (by the done report
    against the deadline), reported and waiting for confirmation, cancelled, or the 督办 colour of an open
    task (red overdue, yellow, blue, green within its deadline)."""
    status, reported = status_at(task, events, moment)
    if status == tasks.CANCELLED:
        return "cancelled"
    if status == tasks.DONE:
        return "done_on_time" if reported is not None and reported <= task.deadline_at else "done_late"
    if status == tasks.REPORTED:
        return "reported"
    return tasks.colour(task, moment, ctx)
