"""Several bot processes on one PostgreSQL share one send budget through a budget row.

Every replica renews a heartbeat lease (`replica:<pid>.<id>`); one of them also holds the `outbox` lease and
is the only one that sends outbox rows, at the bot's whole rate less the headroom it leaves to the others'
direct replies, which share that headroom. A replica that dies stops renewing: within the lease another one
takes the outbox over and re-claims the rows the dead one held (counted where a request was on the wire).
Margins keep two holders apart: a holder stops sending a third of a lease before its lease could lapse and
gives its rows back, a new one starts a chat interval after taking it. One sender keeps both the overall and
the per-chat limit exact without any per-message coordination, and one process easily sends Telegram's 30
messages/s. `NOTIFY` wakes the holder when any process (a replica's handler, a CLI `lessons publish`) enqueues.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
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
        self.id = f"{os.getpid()}.{uuid.uuid4().hex[:12]}"  # the pid tells an operator which process it is
        self.started = False
        self._sends_from = self._sends_until = 0.0  # monotonic: when this replica may send the outbox
        self._task: asyncio.Task | None = None
        self._listener: asyncpg.Connection | None = None
        sender.may_send = lambda: self.leader

    @property
    def leader(self) -> bool:
        """Holds the outbox lease, with a margin on both sides of it.

        It stops sending a third of the lease before its lease could lapse, and a new holder starts a chat
        interval after taking it: the new holder never sends into a chat right after the old one did."""
        return self._sends_from <= time.monotonic() < self._sends_until

    async def start(self) -> None:
        self.started = True
        await self.beat()
        self._task = asyncio.create_task(self._beat_forever(), name="replica-heartbeat")
        self._listener = await listen(self.db.url, self.sender.wake)

    async def beat(self) -> None:
        asked = time.monotonic()
        async with self.db.session() as session:
            await outbox.hold_lease(session, self.ctx, REPLICA_PREFIX + self.id, self.id, self.lease_seconds)
            holds = await outbox.hold_lease(session, self.ctx, OUTBOX_LEASE, self.id, self.lease_seconds)
            alive = max(await outbox.live_leases(session, self.ctx, REPLICA_PREFIX), 1)
        was = self._sends_until > asked
        if holds:
            if not was:
                self._sends_from = asked + self.budget.chat_interval
                asyncio.get_running_loop().call_later(self.budget.chat_interval, self.sender.wake)
                log.info("this replica (%s) now sends the outbox", self.id)
            self._sends_until = asked + self.lease_seconds * 2 / 3
        else:
            self._sends_until = 0.0
        if alive == 1:
            self.budget.share = 1.0
        else:
            self.budget.share = 1.0 - self.headroom if holds else self.headroom / (alive - 1)
        if was and not holds:
            log.warning("this replica (%s) no longer holds the outbox: giving its rows back", self.id)
            await self.sender.give_back()

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                await self.beat()
            except Exception:  # the database is back soon; until then the lease runs on
                log.exception("replica heartbeat")
            if not self.leader and self.sender.held and not self.sender.draining:  # the lease lapsed meanwhile
                await self.sender.give_back()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._listener is not None:
            await self._listener.close()
        self._sends_until = 0.0
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
