"""Sends the outbox: its own loop, woken right after the commit that enqueued, under the bot's send budget.

Rows are claimed a few dozen at a time (highest lane first, oldest first) with a lease that is renewed while
they are held; each chat's rows go one after the other, so messages of one row stay in order. Before a
request the message is marked in flight, after the answer it is recorded sent (`Recorder`, group commit,
one write turn): a crash repeats at most the messages whose requests were on the wire, and counts those
announced (at most `ANNOUNCED`, `WIRE` of them on the wire). Failures: 429 is waited out by the
budget; network errors and 5xx are retried with exponential back-off up to a bound, then the row is dead
with its reason; 403 marks the member unreachable. `stop()` stops claiming, lets the requests on the wire
finish and gives the rest back. On PostgreSQL one replica at a time holds the `outbox` lease and sends
(`bot/replicas.py`); `drain()` (the tests' tick) sends what is due now whatever the lease.
"""
from __future__ import annotations

import asyncio
import base64
import logging
from collections import deque
from dataclasses import dataclass
from datetime import timedelta

from telegram import (BotCommand, BotCommandScope, InlineKeyboardMarkup, InputFile, LinkPreviewOptions,
                      ReplyKeyboardMarkup)
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.budget import SendBudget, retry_after_seconds
from bot.sender_records import Recorder
from storage import outbox
from storage.context import Context
from storage.db import Database
from storage.models.outbox import DEAD, PENDING, SENT, Outbox

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class Halted(Exception):
    """The slot came, but this sender no longer sends (stopping, or another replica holds the outbox)."""


@dataclass
class SendStats:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    uncertain: int = 0

    def since(self, before: "SendStats") -> "SendStats":
        return SendStats(self.sent - before.sent, self.retried - before.retried, self.dead - before.dead,
                         self.uncertain - before.uncertain)


class Sender:
    # Requests on the wire at once. At 30/s that covers round trips up to half a second; a kill -9 repeats at
    # most these. More would cost: each one is a connection of the HTTP pool, and whenever a request comes
    # or goes httpx's pool looks at every connection once for each idle one, so with the limits off 32
    # drained a quarter slower than 16 (benchmarks/delivery.py (c)).
    WIRE = 16
    ANNOUNCED = 2 * WIRE  # marks committed ahead, so the next requests need not wait for a commit

    def __init__(self, bot, db: Database, ctx: Context, *, per_second: float = 30.0, chat_interval: float = 1.0,
                 budget: SendBudget | None = None, batch: int | None = None, concurrency: int | None = None,
                 max_attempts: int = 8, base_backoff: float = 5.0, max_backoff: float = 3600.0,
                 lease_seconds: float = 60.0, poll_seconds: float = 1.0):
        self.bot, self.db, self.ctx = bot, db, ctx
        limiter = getattr(bot, "rate_limiter", None)
        self.budget = budget or (limiter if isinstance(limiter, SendBudget) else SendBudget(per_second, chat_interval))
        # Through the bot's own limiter the call must not take a second slot.
        self._bypass = {"rate_limit_args": {"bypass": True}} if limiter is not None else {}
        self.metrics = self.budget.metrics
        # How many rows one process holds at a time: about two seconds of sending at 30/s, so a claim stays
        # small and a notice enqueued mid-broadcast is claimed within a second. With the limits off nothing
        # paces the sender but its own round trips to the database: it holds more, so that claiming and
        # recording (a few commits for dozens of rows) overlap the requests. (`concurrency` is the old name.)
        batch = batch or (64 if self.budget.per_second else 256)
        self.batch = batch if concurrency is None else min(batch, concurrency * 2)
        # At most ANNOUNCED requests announced (their in-flight mark committed) and WIRE of them on the wire:
        # the marks of the next ones commit while the requests before them are answered.
        self._announcing, self._wire = asyncio.Semaphore(self.ANNOUNCED), asyncio.Semaphore(self.WIRE)
        self.per_chat = 4  # rows of one chat held at once: a chat goes 1/s, the others must not wait behind it
        self.max_attempts, self.base_backoff, self.max_backoff = max_attempts, base_backoff, max_backoff
        self.lease_seconds, self.poll_seconds = lease_seconds, poll_seconds
        self.stats = SendStats()
        self.held: dict[int, Outbox] = {}
        self._queues: dict[int, deque[Outbox]] = {}
        self._tasks: dict[int, asyncio.Task] = {}
        self._on_wire: set[asyncio.Task] = set()
        self._claiming = asyncio.Lock()
        self._waiters: set[asyncio.Future] = set()
        self._stopping = self._giving_back = False
        self.draining = 0  # drains under way: they send whatever the replica lease says
        self._loop: asyncio.Task | None = None
        self._renewer: asyncio.Task | None = None
        self.recorder = Recorder(db)
        self.may_send = lambda: True  # the replica coordinator narrows this on PostgreSQL
        db.outbox_listeners.append(self.wake)

    # --- waking ------------------------------------------------------------------------------

    def wake(self) -> None:
        """Something was enqueued or finished: look again now (safe from any callback on the loop)."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def _changed(self, timeout: float | None) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    # --- the loop ----------------------------------------------------------------------------

    def start(self) -> None:
        self._stopping = False
        self._loop = asyncio.create_task(self._run(), name="outbox-sender")

    async def _run(self) -> None:
        self._ensure_renewer()
        looked = True  # look once at start: rows may be waiting from before a restart
        while not self._stopping:
            try:
                if looked and self.may_send() and len(self.held) <= self.batch * 3 // 4:
                    await self._fill()
                await self._changed(self.poll_seconds)
                looked = True
                if not self.held and self.may_send():
                    async with self.db.session() as session:  # the once-a-second indexed look
                        looked = await outbox.any_due(session, self.ctx)
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup: look again in a second, never die
                log.exception("outbox sender")
                await asyncio.sleep(self.poll_seconds)

    async def drain(self, max_batches: int | None = None) -> SendStats:
        """Send every due row now (whatever the replica lease) and wait for what this process is sending."""
        before = SendStats(**vars(self.stats))
        self._ensure_renewer()
        self.draining += 1
        try:
            batches = 0
            while max_batches is None or batches < max_batches:
                claimed = await self._fill() if len(self.held) <= self.batch * 3 // 4 else 0
                batches += 1 if claimed else 0
                if not claimed and not self.held:
                    break
                if self.held:
                    await self._changed(1.0)
            while self.held:
                await self._changed(1.0)
        finally:
            self.draining -= 1
        return self.stats.since(before)

    async def stop(self, grace: float = 8.0) -> None:
        """Stop claiming, let the requests on the wire finish, give every other held row back."""
        self._stopping = True
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
            self._loop = None
        await self.give_back(grace)
        if self._renewer is not None:
            self._renewer.cancel()
            await asyncio.gather(self._renewer, return_exceptions=True)
            self._renewer = None
        self.db.outbox_listeners[:] = [f for f in self.db.outbox_listeners if f != self.wake]

    async def give_back(self, grace: float = 8.0) -> None:
        """Let the requests on the wire finish and release every other held row: on stopping, and when this
        replica no longer holds the outbox (another one will send them, and must not meet us in a chat)."""
        self._giving_back = True
        try:
            await self._let_go(grace)
        finally:
            self._giving_back = False

    @property
    def _halted(self) -> bool:
        """Send nothing more: stopping, giving back, or (outside a drain) another replica sends the outbox."""
        return self._stopping or self._giving_back or not (self.draining or self.may_send())

    async def _let_go(self, grace: float) -> None:
        waiting = [t for t in self._tasks.values() if t not in self._on_wire]
        for task in waiting:
            task.cancel()
        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.wait(tasks, timeout=grace)
        await self.recorder.idle()  # a cancelled writer's mark commits before the release clears it
        if self.held:
            clear = [r.id for r in self.held.values() if r.inflight is None]
            async with self.recorder.turn() as session:
                await outbox.release(session, list(self.held), clear_inflight=clear)
            self.held.clear()

    async def _release(self, rows: list[Outbox]) -> None:
        try:
            async with self.recorder.turn() as session:
                await outbox.release(session, [r.id for r in rows], clear_inflight=[r.id for r in rows
                                                                                    if r.inflight is None])
        except Exception:  # their lease brings them back
            log.exception("releasing outbox rows")
        finally:
            for r in rows:
                self.held.pop(r.id, None)

    def _ensure_renewer(self) -> None:
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        """Claims never outlive their lease while this process holds them (a chat paced at 1/s can take long)."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            if self.held:
                try:
                    async with self.recorder.turn() as session:
                        await outbox.renew(session, list(self.held),
                                           self.ctx.now() + timedelta(seconds=self.lease_seconds))
                except Exception:
                    log.exception("renewing outbox leases")

    async def _fill(self) -> int:
        """Claim up to the free room; each chat's rows join that chat's queue."""
        async with self._claiming:
            room = self.batch - len(self.held)
            if room <= 0 or self._halted:
                return 0
            async with self.recorder.turn() as session:
                rows = await outbox.claim(session, self.ctx, room, self.lease_seconds, skip=set(self.held),
                                          per_chat=self.per_chat, queued={c: len(q) for c, q in self._queues.items()})
            for row in rows:
                self.held[row.id] = row
                self._queues.setdefault(row.chat_id, deque()).append(row)
                if row.chat_id not in self._tasks:
                    self._tasks[row.chat_id] = asyncio.create_task(self._chat(row.chat_id))
            return len(rows)

    # --- one chat ----------------------------------------------------------------------------

    async def _chat(self, chat_id: int) -> None:
        queue = self._queues[chat_id]
        try:
            blocked = False
            while queue and not self._halted:
                row = queue[0]
                if blocked:  # keep a chat's order: what follows a row waiting for a retry waits too
                    await self.recorder.write({"id": row.id, "status": PENDING, "lease_until": None,
                                               "not_before": self.ctx.now() + timedelta(seconds=1)})
                else:
                    blocked = not await self._send_row(row)
                    if blocked and self._halted:
                        break  # still held: given back with what it recorded
                queue.popleft()
                self.held.pop(row.id, None)
                self.wake()
        except Exception:
            log.exception("outbox chat %s", chat_id)
            for row in queue:  # left held: the lease brings them back
                self.held.pop(row.id, None)
            queue.clear()
        finally:
            self._tasks.pop(chat_id, None)
            self._queues.pop(chat_id, None)
            if queue and not (self._stopping or self._giving_back):  # another replica sends the outbox now
                await self._release(list(queue))
            self.wake()

    async def _send_row(self, row: Outbox) -> bool:
        """Send what is left of one row; False when it waits for a retry (or the sender stops)."""
        messages = row.payload["messages"]
        ids = list(row.message_ids or [])
        for index in range(row.progress, len(messages)):
            if self._halted:
                return False
            try:
                result = await self.budget.run(lambda: self._announce_and_call(row, index, messages[index]),
                                               lane=row.lane, chat=row.chat_id, message=True)
            except Halted:
                return False
            except RetryAfter as exc:
                self.stats.retried += 1
                await self._settle(row, status=PENDING, progress=index, message_ids=ids, error="429 retry_after",
                                   not_before=self.ctx.now() + timedelta(seconds=retry_after_seconds(exc)))
                return False
            except Forbidden as exc:
                await self._dead(row, index, ids, f"403 {exc.message}", unreachable=row.member_id)
                return True
            except BadRequest as exc:
                text = exc.message.lower()
                if "not modified" in text:
                    ids.append(None)
                    continue
                gone = "chat not found" in text or "blocked" in text
                await self._dead(row, index, ids, f"400 {exc.message}", unreachable=row.member_id if gone else None)
                return True
            except InvalidToken:
                raise
            except NetworkError as exc:
                return await self._network_failure(row, index, ids, exc)
            finally:
                self._on_wire.discard(asyncio.current_task())
            ids.append(getattr(result, "message_id", None))
            if index + 1 < len(messages):
                await self.recorder.write({"id": row.id, "progress": index + 1, "message_ids": ids, "inflight": None})
                row.progress = index + 1
        self.stats.sent += 1
        await self._settle(row, status=SENT, progress=len(messages), message_ids=ids, attempts=row.attempts + 1,
                           sent_at=self.ctx.now())
        return True

    async def _announce_and_call(self, row: Outbox, index: int, spec: dict):
        """Mark the message in flight (committed), then make the request.

        From here until its outcome is written the task is on the wire: `stop()` waits for it rather than
        cancelling it, and a crash leaves the mark, so the re-claim counts the possible duplicate."""
        async with self._announcing:
            if self._halted:  # the slot came after this replica stopped holding the outbox
                raise Halted
            await self.recorder.write({"id": row.id, "inflight": index,
                                       "lease_until": self.ctx.now() + timedelta(seconds=self.lease_seconds)})
            row.inflight = index
            self._on_wire.add(asyncio.current_task())
            try:
                async with self._wire:
                    if self._halted:  # announced but never asked: `release` clears the mark
                        raise Halted
                    await self.budget.paused_out()  # a 429 answered while the mark was written holds this too
                    result = await self._call(row.chat_id, spec)
            except asyncio.CancelledError:
                raise
            except BaseException:
                row.inflight = None
                raise
            row.inflight = None
            return result

    async def _network_failure(self, row: Outbox, index: int, ids: list, exc: NetworkError) -> bool:
        attempts = row.attempts + 1
        uncertain = row.uncertain_sends
        if isinstance(exc, TimedOut):
            # The request may have reached Telegram: the one duplicate window left, counted.
            uncertain += 1
            self.stats.uncertain += 1
        if attempts >= self.max_attempts:
            await self._dead(row, index, ids, f"gave up after {attempts} attempts: {exc.message}",
                             attempts=attempts, uncertain_sends=uncertain)
            return True
        self.stats.retried += 1
        backoff = min(self.base_backoff * 2 ** (attempts - 1), self.max_backoff)
        await self._settle(row, status=PENDING, progress=index, message_ids=ids, attempts=attempts,
                           uncertain_sends=uncertain, error=exc.message,
                           not_before=self.ctx.now() + timedelta(seconds=backoff))
        return False

    async def _dead(self, row: Outbox, index: int, ids: list, error: str, *, unreachable: int | None = None,
                    **fields) -> None:
        self.stats.dead += 1
        self.metrics.dead.inc()
        fields.setdefault("attempts", row.attempts + 1)
        await self._settle(row, status=DEAD, progress=index, message_ids=ids, error=error,
                           unreachable=unreachable, **fields)

    async def _settle(self, row: Outbox, *, unreachable: int | None = None, **fields) -> None:
        change = {"id": row.id, "inflight": None, "lease_until": None, **fields}
        if "error" not in change:
            change["error"] = None
        await self.recorder.write(change, unreachable)

    async def _call(self, chat_id: int, spec: dict):
        method = spec["method"]
        params = dict(spec.get("params", {}))
        extra = self._bypass
        if "reply_markup" in params:
            markup = params["reply_markup"]  # inline buttons, or a member's menu keyboard (storage.commands)
            params["reply_markup"] = (InlineKeyboardMarkup.de_json(markup, self.bot) if "inline_keyboard" in markup
                                      else ReplyKeyboardMarkup.de_json(markup, self.bot))
        if method == "setMyCommands":
            return await self.bot.set_my_commands(
                [BotCommand(c["command"], c["description"]) for c in params["commands"]],
                scope=BotCommandScope.de_json(params["scope"], self.bot), **extra)
        if method == "sendMessage":
            lpo = params.pop("link_preview_options", None)
            return await self.bot.send_message(chat_id=chat_id, link_preview_options=NO_PREVIEW if lpo else None,
                                               **params, **extra)
        if method == "sendPhoto":  # by file id (`outbox.attachment`)
            return await self.bot.send_photo(chat_id=chat_id, **params, **extra)
        if method == "sendDocument" and "file" not in spec:  # by file id
            return await self.bot.send_document(chat_id=chat_id, **params, **extra)
        if method == "sendDocument":
            f = spec["file"]
            return await self.bot.send_document(chat_id=chat_id, document=InputFile(base64.b64decode(f["b64"]),
                                                filename=f["name"]), **params, **extra)
        if method == "editMessageText":
            params.pop("link_preview_options", None)
            return await self.bot.edit_message_text(chat_id=chat_id, **params, **extra)
        raise ValueError(f"outbox method not supported: {method}")
