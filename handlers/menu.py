"""The persistent menu keyboard: a pressed label ("📋 任务", "⏰ Overdue") is its command.

Registered after the features, whose command callbacks it reuses (each keeps its own wrapper and role
check), and before the fallback, which answers text that matches nothing with the menu."""
from __future__ import annotations

from telegram.ext import Application, CommandHandler, MessageHandler, filters

from messages import LANGUAGES
from storage import commands


def register(app: Application) -> None:
    callbacks = {}
    for registered in app.handlers.get(0, []):
        if isinstance(registered, CommandHandler):
            for command in registered.commands:
                callbacks.setdefault(command, registered.callback)
    for command in commands.MENU:
        labels = [commands.label(lang, command) for lang in LANGUAGES]
        app.add_handler(MessageHandler(filters.Text(labels), callbacks[command]))
