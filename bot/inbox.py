"""Handles updates from the inbox: what this process received, and what a dead process left pending.

`accept` commits a batch to the inbox (the webhook and the poller call it before they acknowledge) and
starts handling the new updates at once. A loop renews the leases of updates still being handled, claims
pending updates whose lease ran out (a crash, a restart, a replica gone) and prunes old handled rows.
Each update runs through the per-chat processor, so a chat's updates keep their order; when the
application is done with one, `finish` marks it handled unless a handler's transaction already did.
"""
from __future__ import annotations

import asyncio
import logging

from telegram import Update

from storage import inbox

log = logging.getLogger(__name__)
# How often leases are renewed and orphaned updates looked for; well inside inbox.LEASE.
SWEEP_SECONDS = 5.0
PRUNE_SECONDS = 3600.0


class InboxPump:
    def __init__(self, runtime):
        self.runtime = runtime
        self._inflight: dict[int, asyncio.Task] = {}
        self._committed: set[int] = set()
        self._loop_task: asyncio.Task | None = None
        self._wake = asyncio.Event()
        self._since_prune = PRUNE_SECONDS

    @property
    def db(self):
        return self.runtime.db

    async def start(self, *, sole_consumer: bool) -> None:
        """`sole_consumer`: this process alone handles updates (it holds the polling lock), so every
        pending update is its own to take now, whatever lease a dead predecessor left on it."""
        if sole_consumer:
            async with self.db.session() as session:
                await inbox.release(session)
        self._loop_task = asyncio.create_task(self._loop(), name="inbox")

    async def accept(self, payloads: list[dict]) -> int:
        """Commit the updates to the inbox, then handle the new ones; raises when the commit failed."""
        async with self.db.session() as session:
            fresh = await inbox.receive(session, self.runtime.ctx, payloads)
        for payload in fresh:
            self._dispatch(payload["update_id"], payload)
        return len(fresh)

    def _dispatch(self, update_id: int, payload: dict) -> None:
        if update_id in self._inflight:
            return
        task = asyncio.create_task(self._run(update_id, Update.de_json(payload, self.runtime.bot)))
        self._inflight[update_id] = task
        task.add_done_callback(lambda _t: self._inflight.pop(update_id, None))

    async def _run(self, update_id: int, update: Update) -> None:
        handling = self._handle(update_id, update)
        try:
            await self.runtime.processor.process_update(update, handling)
        finally:
            handling.close()  # not started when cancelled while waiting for its chat's turn

    async def _handle(self, update_id: int, update: Update) -> None:
        try:
            await self.runtime.application.process_update(update)
        except Exception as exc:  # the application reports handler errors itself; this is a last resort
            log.error("update %s failed: %s", update_id, exc)
        if update_id in self._committed:
            self._committed.discard(update_id)
            return
        async with self.db.session() as session:
            await inbox.finish(session, update_id)

    def committed(self, update_id: int) -> None:
        """A handler's transaction marked this update handled and committed: nothing left to finish."""
        self._committed.add(update_id)

    async def _loop(self) -> None:
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database may be briefly away; the next sweep tries again
                log.warning("inbox sweep failed: %s", exc)
            try:
                await asyncio.wait_for(self._wake.wait(), SWEEP_SECONDS)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()

    async def sweep(self) -> None:
        """Renew the leases held, take over orphaned pending updates, and now and then prune."""
        ctx = self.runtime.ctx
        async with self.db.session() as session:
            await inbox.renew(session, ctx, list(self._inflight))
            claimed = await inbox.claim(session, ctx)
            self._since_prune += SWEEP_SECONDS
            if self._since_prune >= PRUNE_SECONDS:
                self._since_prune = 0
                await inbox.prune(session, ctx)
        for update_id, payload in claimed:
            if payload is None:
                log.warning("update %s cannot be opened (was TONGXIN_SECRET changed?); skipped", update_id)
                async with self.db.session() as session:
                    await inbox.finish(session, update_id)
            else:
                self._dispatch(update_id, payload)

    async def stop(self, grace: float = 10.0) -> None:
        """Stop claiming, let the updates in hand finish (within `grace`), and leave the rest pending."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None
        tasks = list(self._inflight.values())
        if tasks:
            _done, unfinished = await asyncio.wait(tasks, timeout=grace)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
        left = list(self._inflight)
        if left:
            async with self.db.session() as session:
                await inbox.release(session, left)
