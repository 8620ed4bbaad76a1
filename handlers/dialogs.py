"""Routes a member's typed input (text, photo, document) to the flow they are in.

A feature registers `@on_input("kind")` for the dialog kinds it starts with `storage.dialogs.start`.
"""
from __future__ import annotations

from typing import Awaitable, Callable

INPUTS: dict[str, Callable] = {}


def on_input(kind: str) -> Callable[[Callable[..., Awaitable]], Callable[..., Awaitable]]:
    def register(fn):
        INPUTS[kind] = fn
        return fn

    return register
