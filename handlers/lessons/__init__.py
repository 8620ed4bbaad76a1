"""Micro-lessons in the chat: `/lessons`, learned and the quiz, `/newlesson`, and staff's who-has-not-studied."""
from __future__ import annotations

from telegram.ext import Application

from handlers.lessons import coverage, quiz, wizard


def register(app: Application) -> None:
    coverage.register(app)  # before quiz's catch-all `les:` handler
    quiz.register(app)
    wizard.register(app)
