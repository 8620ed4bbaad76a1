"""Reception days in the chat: booking (`/reception`, `/mybookings`), and `/newreception` with the outcomes."""
from __future__ import annotations

from telegram.ext import Application

from handlers.reception import booking, wizard


def register(app: Application) -> None:
    booking.register(app)
    wizard.register(app)
