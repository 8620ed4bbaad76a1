"""/start (registration with an invite code), /help and /cancel."""
from __future__ import annotations

from telegram.ext import Application, CommandHandler

from storage import commands
from handlers.session import Turn, handler
from storage import dialogs, members


@handler(strangers=True)
async def start(turn: Turn) -> None:
    code = " ".join(turn.context.args or []).strip()
    if turn.member is not None:
        turn.say("welcome_back", commands.keyboard(turn.member), name=turn.member.name)
        turn.menu(commands.menu(turn.member))
        return
    if not code:
        turn.say("registration_prompt")
        return
    member = await members.register(turn.session, turn.ctx, turn.user, code)
    turn.lang = member.language
    turn.say("registered", commands.keyboard(member), name=member.name, commands=commands.menu(member))
    turn.menu(commands.menu(member))


@handler()
async def help_(turn: Turn) -> None:
    turn.say("help", commands.keyboard(turn.me), name=turn.me.name, commands=commands.menu(turn.me))
    turn.menu(commands.menu(turn.me))


@handler()
async def cancel(turn: Turn) -> None:
    await dialogs.clear(turn.session, turn.me.id)
    turn.say("cancelled")


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_))
    app.add_handler(CommandHandler("cancel", cancel))
