"""Feedback in the chat: the writer's side (`/feedback`, `/mytickets`) and the office's (`/inbox`)."""
from __future__ import annotations

from telegram.ext import Application

from handlers.feedback import writer, office


def register(app: Application) -> None:
    writer.register(app)
    office.register(app)
