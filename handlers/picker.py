"""A pressed candidate (or audience) (a member or a unit offered by `storage.picker`) answers the open flow's question as
if its code had been typed: it goes through the same route, role re-check and rules as typed text."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler

from handlers.dialogs import route
from handlers.session import Turn, handler
from messages import buttons
from messages.buttons import Prefix
from messages.buttons import audience as audience_buttons
from messages.buttons import picker as pick_buttons
from storage import dialogs, picker


@handler()
async def picked(turn: Turn) -> None:
    obj_id, kind, step = pick_buttons.read(turn.query.data)
    dialog = await dialogs.get(turn.session, turn.me.id)
    if dialog is None or dialog.step != step:  # the question this button answered has moved on
        turn.toast("button_expired", alert=True)
        return
    turn.picked = await picker.typed_for(turn.session, obj_id, kind)
    if not await route(turn, dialog):
        turn.toast("button_expired", alert=True)


@handler()
async def audience(turn: Turn) -> None:
    """部门… / 支部… / 角色… open their list; a final choice answers the flow's audience question."""
    obj_id, action = audience_buttons.read(turn.query.data)
    dialog = await dialogs.get(turn.session, turn.me.id)
    if dialog is None or dialog.step != audience_buttons.STEP:  # no audience question open
        turn.toast("button_expired", alert=True)
    elif action in audience_buttons.LISTS:
        turn.say("audience_choose", await picker.audience_list(turn.session, turn.lang, action), kind=action)
    else:
        turn.picked = await picker.audience_for(turn.session, obj_id, action)
        if not await route(turn, dialog):
            turn.toast("button_expired", alert=True)


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(picked, pattern=buttons.pattern(Prefix.PICK)))
    app.add_handler(CallbackQueryHandler(audience, pattern=buttons.pattern(Prefix.AUDIENCE)))
