"""The registry the scheduler tick walks: each producer writes what is due into the outbox.

A producer is `async def produce(session, ctx) -> int` (rows written); each runs in its own transaction.
A producer that deletes sealed rows names their tables (`vacuum=`): after it did something, they are
vacuumed where the engine allows it, so the deleted rows do not linger in the data files.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
from typing import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from storage.context import Context

log = logging.getLogger(__name__)
Producer = Callable[[AsyncSession, Context], Awaitable[int]]
PRODUCERS: dict[str, Producer] = {}
VACUUM: dict[str, tuple[str, ...]] = {}


def producer(name: str, *, vacuum: tuple[str, ...] = ()):
    def register(fn: Producer) -> Producer:
        PRODUCERS[name] = fn
        if vacuum:
            VACUUM[name] = vacuum
        return fn

    return register


def load_features() -> None:
    """Import every storage feature and service module, so that their producers (and indicators) register."""
    for info in pkgutil.iter_modules(storage.__path__):
        if info.name not in ("migrations", "models"):
            importlib.import_module(f"storage.{info.name}")


async def run_all(db, ctx: Context) -> dict[str, int]:
    results: dict[str, int] = {}
    for name, fn in list(PRODUCERS.items()):
        try:
            async with db.session() as session:
                results[name] = await fn(session, ctx) or 0
            if results[name] > 0 and name in VACUUM:
                await db.vacuum(VACUUM[name])
        except Exception:  # one broken producer must not starve the others
            log.exception("producer %s failed", name)
            results[name] = -1
    return results
