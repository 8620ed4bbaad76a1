"""Writes what the sender did, message by message, with group commit.

Each write is committed before the sender moves on (before the request it announces, after the answer it
records), yet writes that arrive together share one transaction: at 30 messages/s that is one commit per
message, with limits off it is a few commits for dozens of messages.
"""
from __future__ import annotations

import asyncio

from storage import outbox
from storage.db import Database


class Recorder:
    def __init__(self, db: Database):
        self.db = db
        self._queue: list[tuple[dict, int | None, asyncio.Future]] = []
        self._flushing: asyncio.Task | None = None

    async def write(self, change: dict, unreachable_member: int | None = None) -> None:
        """`change` is {"id": row id, column: value, …}; returns once it is committed."""
        done = asyncio.get_running_loop().create_future()
        self._queue.append((change, unreachable_member, done))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        await asyncio.shield(done)  # a cancelled writer still lets the batch it joined commit

    async def idle(self) -> None:
        """Wait until every write asked for so far is committed (or has failed)."""
        while self._flushing is not None and not self._flushing.done():
            await asyncio.wait({self._flushing})

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                async with self.db.session() as session:
                    await outbox.write(session, [change for change, _, _ in batch])
                    await outbox.unreachable(session, {m for _, m, _ in batch if m})
            except Exception as exc:  # every writer of the batch learns it failed
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, _, done in batch:
                if not done.done():
                    done.set_result(None)
