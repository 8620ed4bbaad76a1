"""The chat face, named after the features: `register_all` adds every feature's handlers, one line each.

A feature's chat face is `handlers/<feature>.py`, or a package `handlers/<feature>/` when it is large, and
exposes `register(app)`. Features register in this order, then `menu` (the menu keyboard's labels, which
reuse the features' commands), `fallback` last: it catches what no feature took
(typed input goes on to the flow the member is in, `handlers/dialogs.py`). Shared pieces beside them:
`session` (the wrapper every handler goes through), `dialogs`, `files`.
"""
from __future__ import annotations

from telegram.ext import Application

from handlers import (fallback, feedback, kpi, lessons, members, menu, orglife, picker, reception, report,
                      roster, sheets, start, surveys, targets, tasks)

FEATURES = (
    feedback,
    kpi,
    lessons,
    members,
    orglife,
    picker,
    reception,
    report,
    roster,
    sheets,
    start,
    surveys,
    tasks,
    targets,
)


def register_all(app: Application) -> None:
    for feature in FEATURES:
        feature.register(app)
    menu.register(app)  # reuses the features' command callbacks
    fallback.register(app)
