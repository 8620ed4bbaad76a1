"""Several bot processes on one PostgreSQL share one send budget through a budget row.

Every replica renews a heartbeat lease (`replica:<id>`); one of them also holds the `outbox` lease and is
the only one that sends outbox rows, at the bot's whole rate less the headroom it leaves to the others'
direct replies, which share that headroom. A replica that dies stops renewing: within `lease_seconds`
another one takes the outbox over and re-claims the rows the dead one held (counted where a request was on
the wire). One sender keeps both the overall and the per-chat limit exact without any per-message
coordination, and one process easily sends Telegram's 30 messages/s. `NOTIFY` wakes the holder when any
process (a replica's handler, a CLI `lessons publish`) enqueues.
"""
from __future__ import annotations

import asyncio
import logging
import uuid

import asyncpg
from sqlalchemy.engine import make_url

from storage import outbox

log = logging.getLogger(__name__)
OUTBOX_LEASE, REPLICA_PREFIX = "outbox", "replica:"


class Replicas:
    def __init__(self, db, ctx, budget, sender, *, headroom: float, lease_seconds: float = 6.0):
        self.db, self.ctx, self.budget, self.sender = db, ctx, budget, sender
        self.headroom, self.lease_seconds = headroom, lease_seconds
        self.id = uuid.uuid4().hex[:16]
        self.leader = self.started = False
        self._task: asyncio.Task | None = None
        self._listener: asyncpg.Connection | None = None
        sender.may_send = lambda: self.leader

    async def start(self) -> None:
        self.started = True
        await self.beat()
        self._task = asyncio.create_task(self._beat_forever(), name="replica-heartbeat")
        self._listener = await listen(self.db.url, self.sender.wake)

    async def beat(self) -> None:
        async with self.db.session() as session:
            await outbox.hold_lease(session, self.ctx, REPLICA_PREFIX + self.id, self.id, self.lease_seconds)
            was, self.leader = self.leader, await outbox.hold_lease(session, self.ctx, OUTBOX_LEASE, self.id,
                                                                    self.lease_seconds)
            alive = max(await outbox.live_leases(session, self.ctx, REPLICA_PREFIX), 1)
        if alive == 1:
            self.budget.share = 1.0
        else:
            self.budget.share = 1.0 - self.headroom if self.leader else self.headroom / (alive - 1)
        if self.leader and not was:
            log.info("this replica now sends the outbox")
            self.sender.wake()

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                await self.beat()
            except Exception:  # the database is back soon; until then the lease runs on
                log.exception("replica heartbeat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._listener is not None:
            await self._listener.close()
        self.leader = False
        async with self.db.session() as session:
            await outbox.drop_lease(session, REPLICA_PREFIX + self.id, self.id)
            await outbox.drop_lease(session, OUTBOX_LEASE, self.id)


async def listen(database_url: str, wake) -> asyncpg.Connection:
    """A connection of its own that LISTENs on the outbox channel and wakes the sender on every NOTIFY."""
    url = make_url(database_url)
    conn = await asyncpg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                                 database=url.database)
    await conn.add_listener(outbox.CHANNEL, lambda *_: wake())
    return conn
