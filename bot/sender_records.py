"""Writes what the sender did, message by message, with group commit, one transaction at a time.

Each write is committed before the sender moves on (before the request it announces, after the answer it
records), yet writes that arrive together share one transaction: at 30 messages/s that is one commit per
message, with limits off it is a few commits for dozens of messages.

`turn()` is the sender's one write turn: its records, claims, lease renewals and releases take it one after
the other. On SQLite two of them started together would otherwise meet at `BEGIN IMMEDIATE`, and the one
that loses sleeps in SQLite's busy handler (milliseconds, growing) while every chat waiting on its commit
waits too; with limits off that was most of the drain's time.
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.db import Database


class Recorder:
    def __init__(self, db: Database):
        self.db = db
        self._queue: list[tuple[dict, int | None, asyncio.Future]] = []
        self._flushing: asyncio.Task | None = None
        self._turn = asyncio.Lock()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[AsyncSession]:
        """A transaction of the sender's, never alongside another of its own (see the module's note)."""
        async with self._turn:
            async with self.db.session() as session:
                yield session

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
            async with self._turn:  # what arrives while waiting for the turn joins this batch
                batch, self._queue = self._queue, []
                async with self.db.sessions() as session:
                    try:
                        async with session.begin():
                            await outbox.write(session, [change for change, _, _ in batch])
                            await outbox.unreachable(session, {m for _, m, _ in batch if m})
                    except Exception as exc:  # every writer of the batch learns it failed
                        for _, _, done in batch:
                            if not done.done():
                                done.set_exception(exc)
                        continue
                    for _, _, done in batch:  # committed: the writers go on while the connection is put back
                        if not done.done():
                            done.set_result(None)
