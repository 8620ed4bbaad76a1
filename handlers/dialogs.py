"""Routes a member's typed input (text, photo, document) to the flow they are in; the one place where the
role of whoever types into a flow is checked again.

A feature registers `@on_input("kind", roles=...)` for the dialog kinds it starts with `storage.dialogs.start`.
Typed input reaches the flow through the fallback handler (`handlers/fallback.py`), so through the same
wrapper as commands and buttons (`handlers/session.py`: one transaction, the member identified). Roles can
change while a flow is open (a roster import, an admin): when the member no longer holds any of the flow's
`roles`, the flow is ended and they are told `not_allowed`; the clearing commits, so the next message is not
taken for an answer either. Object-level checks (is this your ticket, is the day still open) stay in storage.
"""
from __future__ import annotations

from typing import Awaitable, Callable

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
