"""Leaving members: the face handlers, the CLI and tests use.

Inside: `rules` (the member card for /member, deactivation and the list of open tasks to reassign),
`views` (the card's buttons).
"""
from __future__ import annotations

from storage.leaving.rules import Leaving, by_numbers, card_of, deactivate, member_for
from storage.leaving.views import card_keyboard, confirm_keyboard

__all__ = ["Leaving", "by_numbers", "card_keyboard", "card_of", "confirm_keyboard", "deactivate", "member_for"]
