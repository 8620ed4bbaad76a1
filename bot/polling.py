"""Long polling that acknowledges an update only after the inbox has it.

`getUpdates` with an offset confirms everything before that offset, so the offset moves only after the
batch is committed to the inbox: a crash in between gets the same updates again, and the inbox ignores the
ones it has. Replaces PTB's Updater, which confirms what it fetched before anything is handled.
"""
from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import Conflict, TelegramError

from bot.update_payload import NotAnUpdate, check

log = logging.getLogger(__name__)


class Poller:
    def __init__(self, runtime, timeout: int = 10):
        self.runtime = runtime
        self.timeout = timeout
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="polling")

    async def stop(self) -> None:
        # Cancelling mid-batch is safe: whatever was not committed is fetched again next time.
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _loop(self) -> None:
        offset: int | None = None
        backoff = 1.0
        while True:
            try:
                updates = await self.runtime.bot.get_updates(offset=offset, timeout=self.timeout,
                                                             allowed_updates=Update.ALL_TYPES)
                payloads = []
                for update in updates:
                    try:
                        payloads.append(check(update.to_dict()))
                    except NotAnUpdate as exc:
                        log.warning("update %s ignored: %s", update.update_id, exc)
                await self.runtime.inbox.accept(payloads)
                if updates:
                    offset = max(u.update_id for u in updates) + 1
                backoff = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # network, 409 (another consumer), the database: wait and try again
                level = logging.ERROR if isinstance(exc, Conflict) else logging.WARNING
                log.log(level, "polling: %s", exc if isinstance(exc, TelegramError) else repr(exc))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
