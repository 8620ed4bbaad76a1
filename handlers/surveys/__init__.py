"""Surveys in the chat: answering (`/surveys`, the question screens, `/results`) and `/newsurvey`."""
from __future__ import annotations

from telegram.ext import Application

from handlers.surveys import answering, wizard


def register(app: Application) -> None:
    answering.register(app)
    wizard.register(app)
