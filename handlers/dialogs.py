"""Routes a member's typed input (text, photo, document) to the flow they are in; the one place where the
role of whoever types into a flow is checked again.

A feature registers `@on_input("kind", roles=...)` for the dialog kinds it starts with `storage.dialogs.start`.
Typed input reaches the flow through the fallback handler (`handlers/fallback.py`), so through the same
wrapper as commands and buttons (`handlers/session.py`: one transaction, the member identified). Roles can
change while a flow is open (a roster import, an admin): when the member no longer holds any of the flow's
`roles`, the flow is ended and they are told `not_allowed`; the clearing commits, so the next message is not
taken for an answer either. Object-level checks (is this your ticket, is the day still open) stay in storage.

Replying the Telegram way: a message sent as a reply to one of the bot's messages is matched by the buttons
that message carries (Telegram puts the replied message, inline keyboard included, in the update; the client
cannot choose it). A feature registers `@on_reply(Prefix.X)`, a function that takes the reply as pressing its
button and typing the text. Nothing is stored to map a message to what it is about: the keyboard already says
it, so an anonymous writer's chat is never written next to their ticket, and every reply is checked as the
press would be. A message without such buttons (or edited to lose them) falls back to the usual routing.
"""
from __future__ import annotations

from typing import Awaitable, Callable

from messages import buttons
from storage import dialogs

Input = Callable[..., Awaitable]
INPUTS: dict[str, tuple[Input, tuple[str, ...] | None]] = {}


def on_input(kind: str, *, roles: tuple[str, ...] | None = None) -> Callable[[Input], Input]:
    """Register `fn(turn, dialog)` for typed input in flows of `kind`; `roles`: who may go on typing into it."""
    def register(fn: Input) -> Input:
        INPUTS[kind] = (fn, roles)
        return fn

    return register


async def route(turn, dialog) -> bool:
    """Hand typed input to its flow, re-checking the flow's roles first; False when no flow takes it."""
    entry = INPUTS.get(dialog.kind) if dialog is not None else None
    if entry is None:
        return False
    fn, roles = entry
    if roles is not None and not turn.me.has_role(*roles):
        await dialogs.clear(turn.session, turn.me.id)
        turn.say("not_allowed")
        return True
    await fn(turn, dialog)
    return True


Reply = Callable[..., Awaitable[bool]]
REPLIES: dict[str, Reply] = {}


def on_reply(prefix: str) -> Callable[[Reply], Reply]:
    """Register `fn(turn, obj_id, action) -> bool` for replies to messages carrying `prefix` buttons; it returns
    True when it took the reply (as pressing that button and typing the text), False to let the next try."""
    def register(fn: Reply) -> Reply:
        REPLIES[str(prefix)] = fn
        return fn

    return register


async def route_reply(turn) -> bool:
    """A reply to one of the bot's messages handled by the feature whose buttons it carries; False if none does."""
    message = turn.message
    replied = message.reply_to_message if message is not None else None
    if replied is None or replied.from_user is None or replied.from_user.id != turn.context.bot.id:
        return False
    markup = replied.reply_markup
    for row in (markup.inline_keyboard if markup is not None else ()):
        for button in row:
            try:
                prefix, obj_id, action = buttons.parse(button.callback_data or "")
            except buttons.Forged:
                continue
            fn = REPLIES.get(prefix)
            if fn is not None and await fn(turn, obj_id, action):
                return True
    return False
