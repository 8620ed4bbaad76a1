"""Micro-lessons in the chat: `/lessons`, learned and the quiz, and `/newlesson`."""
from __future__ import annotations

from telegram.ext import Application

from handlers.lessons import quiz, wizard


def register(app: Application) -> None:
    quiz.register(app)
    wizard.register(app)
