"""The APScheduler job that only ticks: the schedule itself is rows in the database.

`misfire_grace_time=None` and `coalesce=True`, so a tick due while the process was busy or restarting still
runs once; each process has its own in-memory scheduler (job stores are never shared).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


def start_scheduler(runtime) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def tick() -> None:
        try:
            await runtime.tick()
        except Exception:
            log.exception("tick failed")

    scheduler.add_job(tick, "interval", seconds=runtime.config.tick_seconds, id="tick", max_instances=1,
                      coalesce=True, misfire_grace_time=None, next_run_time=datetime.now(timezone.utc))
    scheduler.start()
    return scheduler
