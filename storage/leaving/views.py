"""The /member card's buttons, as the card and its confirmation show them."""
from __future__ import annotations

from messages import render
from messages.buttons import members as member_buttons


def card_keyboard(lang: str, view: dict) -> list[list[dict]] | None:
    """An admin's "deactivate" button on an active member's card; nothing for anyone else."""
    if not view.get("can_deactivate"):
        return None
    return [[member_buttons.member(render(lang, "member_button", name="ask"), view["id"], member_buttons.ASK)]]


def confirm_keyboard(lang: str, member_id: int) -> list[list[dict]]:
    return [[member_buttons.member(render(lang, "member_button", name="confirm"), member_id, member_buttons.CONFIRM),
             member_buttons.member(render(lang, "member_button", name="keep"), member_id, member_buttons.KEEP)]]
