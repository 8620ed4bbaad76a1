"""Registered last: a reply to a bot message goes to what that message is about (`route_reply`), other typed
input to the member's current flow; anything else gets a pointer to /help.

Strangers get the registration prompt here too (the wrapper does that), whatever they send or press.
"""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers.dialogs import route, route_reply
from handlers.session import Turn, handler
from storage import commands, dialogs


@handler()
async def typed(turn: Turn) -> None:
    if await route_reply(turn):
        return
    if not await route(turn, await dialogs.get(turn.session, turn.me.id)):
        turn.say("unknown_input", commands.keyboard(turn.me))  # plain text that matches nothing: the menu


@handler()
async def unknown_command(turn: Turn) -> None:
    turn.say("unknown_command")


@handler()
async def stale_button(turn: Turn) -> None:
    turn.toast("button_expired", alert=True)


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(filters.ALL & ~filters.COMMAND & ~filters.StatusUpdate.ALL, typed))
    app.add_handler(CallbackQueryHandler(stale_button))
