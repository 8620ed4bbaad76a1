"""Processes updates concurrently across chats and in order within a chat, and counts what it finished.

The count lets /health (and the tests) tell when every received update has been handled.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.finished = 0

    async def do_process_update(self, update: object, coroutine) -> None:
        key = 0
        if isinstance(update, Update):
            chat = update.effective_chat
            user = update.effective_user
            key = chat.id if chat else (user.id if user else 0)
        lock = self._locks[key]
        try:
            async with lock:
                await coroutine
        finally:
            self.finished += 1
            if not lock.locked() and key in self._locks and not lock._waiters:  # noqa: SLF001
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
