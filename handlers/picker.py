"""A pressed candidate (a member or a unit offered by `storage.picker`) answers the open flow's question as
if its code had been typed: it goes through the same route, role re-check and rules as typed text."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler

from handlers.dialogs import route
from handlers.session import Turn, handler
from messages import buttons
from messages.buttons import Prefix
from messages.buttons import picker as pick_buttons
from storage import dialogs, picker


@handler()
async def picked(turn: Turn) -> None:
    obj_id, kind = pick_buttons.read(turn.query.data)
    dialog = await dialogs.get(turn.session, turn.me.id)
    turn.picked = await picker.typed_for(turn.session, obj_id, kind)
    if dialog is None or not await route(turn, dialog):
        turn.toast("button_expired", alert=True)


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(picked, pattern=buttons.pattern(Prefix.PICK)))
