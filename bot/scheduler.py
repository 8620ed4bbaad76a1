"""The APScheduler job that only ticks: the schedule itself is rows in the database.

A tick runs the producers only; the sender is its own loop, woken by their commits, so a long broadcast
never holds back the next tick.

`misfire_grace_time=None` and `coalesce=True`, so a tick due while the process was busy or restarting still
runs once; each process has its own in-memory scheduler (job stores are never shared). Stopping lets a tick
that is running finish, so a shutdown never cuts a transaction or a send in half.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


class Ticker:
    def __init__(self, runtime):
        self.runtime = runtime
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._running: asyncio.Task | None = None
        self._stopping = False

    async def _tick(self) -> None:
        if self._stopping:  # a run the scheduler launched just before it was shut down
            return
        self._running = asyncio.current_task()
        try:
            await self.runtime.produce()
        except Exception:
            log.exception("tick failed")
        finally:
            self._running = None

    def start(self) -> None:
        self.scheduler.add_job(self._tick, "interval", seconds=self.runtime.config.tick_seconds, id="tick",
                               max_instances=1, coalesce=True, misfire_grace_time=None,
                               next_run_time=datetime.now(timezone.utc))
        self.scheduler.start()

    async def stop(self, timeout: float = 60.0) -> None:
        self._stopping = True
        self.scheduler.pause()
        await asyncio.sleep(0)  # a run launched just now starts, sees `_stopping` and returns
        if self._running is not None:
            # Before shutdown: APScheduler's asyncio executor cancels the jobs still running when it stops.
            await asyncio.wait({self._running}, timeout=timeout)
        self.scheduler.shutdown(wait=False)


def start_scheduler(runtime) -> Ticker:
    ticker = Ticker(runtime)
    ticker.start()
    return ticker
