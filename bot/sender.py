"""Drains the outbox into the Bot API under Telegram's limits.

About 30 messages/s overall and 1/s per chat (both configurable, 0 turns a limit off); 429 `retry_after` is
honoured; network errors and 5xx are retried with exponential back-off up to a bound, then the row is dead
with its reason; 403 marks the member unreachable and is not retried. Messages of one row go in order.
"""
from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import BotCommand, BotCommandScope, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from storage import outbox
from storage.context import Context
from storage.db import Database
from storage.models.outbox import DEAD, PENDING, SENT, Outbox

log = logging.getLogger(__name__)


@dataclass
class SendStats:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    uncertain: int = 0
    by_error: dict = field(default_factory=lambda: defaultdict(int))


class RateLimits:
    """A global pace and a per-chat interval; 0 disables either."""

    def __init__(self, per_second: float, chat_interval: float):
        self.gap = 1.0 / per_second if per_second > 0 else 0.0
        self.chat_interval = chat_interval
        self._next_global = 0.0
        self._next_chat: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def wait(self, chat_id: int) -> None:
        if not self.gap and not self.chat_interval:
            return
        async with self._lock:
            now = time.monotonic()
            at = max(now, self._next_global)
            self._next_global = at + self.gap
        chat_at = self._next_chat.get(chat_id, 0.0)
        at = max(at, chat_at)
        self._next_chat[chat_id] = at + self.chat_interval
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


class Sender:
    def __init__(self, bot, db: Database, ctx: Context, *, per_second: float = 30.0, chat_interval: float = 1.0,
                 batch: int = 200, concurrency: int = 32, max_attempts: int = 8, base_backoff: float = 5.0,
                 max_backoff: float = 3600.0, lease_seconds: float = 120.0):
        self.bot, self.db, self.ctx = bot, db, ctx
        self.limits = RateLimits(per_second, chat_interval)
        self.batch, self.concurrency = batch, concurrency
        self.max_attempts, self.base_backoff, self.max_backoff = max_attempts, base_backoff, max_backoff
        self.lease_seconds = lease_seconds
        self._draining = asyncio.Lock()
        # After a 429 nothing is sent until then (on the injected clock, so tests move time, not sleep).
        self.paused_until = None

    async def drain(self, max_batches: int | None = None) -> SendStats:
        """Send every due row; returns what happened. One drain at a time per process."""
        stats = SendStats()
        async with self._draining:
            batches = 0
            while max_batches is None or batches < max_batches:
                if self._paused():
                    break
                async with self.db.session() as session:
                    rows = await outbox.claim(session, self.ctx, self.batch, self.lease_seconds)
                if not rows:
                    break
                batches += 1
                outcomes = await self._send_rows(rows, stats)
                async with self.db.session() as session:
                    await outbox.settle(session, outcomes)
        return stats

    async def _send_rows(self, rows: list[Outbox], stats: SendStats) -> list[outbox.Outcome]:
        by_chat: dict[int, list[Outbox]] = defaultdict(list)
        for row in rows:
            by_chat[row.chat_id].append(row)
        gate = asyncio.Semaphore(self.concurrency)
        outcomes: list[outbox.Outcome] = []

        async def run_chat(chat_rows: list[Outbox]) -> None:
            async with gate:
                blocked = False
                for row in chat_rows:
                    if blocked:  # keep a chat's order: what follows a failed row waits for it
                        outcomes.append(outbox.Outcome(row.id, PENDING, row.progress, row.attempts,
                                                       row.uncertain_sends, row.message_ids,
                                                       not_before=self.ctx.now() + timedelta(seconds=1)))
                        continue
                    outcome = await self._send_row(row, stats)
                    outcomes.append(outcome)
                    blocked = outcome.status == PENDING

        await asyncio.gather(*(run_chat(chat_rows) for chat_rows in by_chat.values()))
        return outcomes

    async def _send_row(self, row: Outbox, stats: SendStats) -> outbox.Outcome:
        messages = row.payload["messages"]
        ids = list(row.message_ids or [])
        progress, attempts, uncertain = row.progress, row.attempts, row.uncertain_sends
        for index in range(progress, len(messages)):
            if self._paused():
                return outbox.Outcome(row.id, PENDING, index, attempts, uncertain, ids, not_before=self.paused_until)
            await self.limits.wait(row.chat_id)
            try:
                result = await self._call(row.chat_id, messages[index])
            except RetryAfter as exc:
                delay = exc.retry_after.total_seconds() if isinstance(exc.retry_after, timedelta) else float(exc.retry_after)
                until = self.ctx.now() + timedelta(seconds=delay)
                self.paused_until = max(self.paused_until or until, until)
                stats.retried += 1
                stats.by_error["429"] += 1
                return outbox.Outcome(row.id, PENDING, index, attempts, uncertain, ids,
                                      not_before=self.ctx.now() + timedelta(seconds=delay), error="429 retry_after")
            except Forbidden as exc:
                stats.dead += 1
                stats.by_error["403"] += 1
                return outbox.Outcome(row.id, DEAD, index, attempts + 1, uncertain, ids, error=f"403 {exc.message}",
                                      unreachable_member_id=row.member_id)
            except BadRequest as exc:
                stats.dead += 1
                stats.by_error["400"] += 1
                gone = "chat not found" in exc.message.lower() or "blocked" in exc.message.lower()
                return outbox.Outcome(row.id, DEAD, index, attempts + 1, uncertain, ids, error=f"400 {exc.message}",
                                      unreachable_member_id=row.member_id if gone else None)
            except InvalidToken:
                raise
            except (TimedOut, NetworkError) as exc:
                attempts += 1
                if isinstance(exc, TimedOut):
                    # The request may have reached Telegram: the one duplicate window left, counted.
                    uncertain += 1
                    stats.uncertain += 1
                stats.by_error["network"] += 1
                if attempts >= self.max_attempts:
                    stats.dead += 1
                    return outbox.Outcome(row.id, DEAD, index, attempts, uncertain, ids,
                                          error=f"gave up after {attempts} attempts: {exc.message}")
                stats.retried += 1
                backoff = min(self.base_backoff * 2 ** (attempts - 1), self.max_backoff)
                return outbox.Outcome(row.id, PENDING, index, attempts, uncertain, ids,
                                      not_before=self.ctx.now() + timedelta(seconds=backoff), error=exc.message)
            ids.append(_message_id(result))
        stats.sent += 1
        return outbox.Outcome(row.id, SENT, len(messages), attempts + 1, uncertain, ids, sent_at=self.ctx.now())

    def _paused(self) -> bool:
        return self.paused_until is not None and self.ctx.now() < self.paused_until

    async def _call(self, chat_id: int, spec: dict):
        method = spec["method"]
        params = dict(spec.get("params", {}))
        if "reply_markup" in params:
            params["reply_markup"] = InlineKeyboardMarkup.de_json(params["reply_markup"], self.bot)
        if method == "setMyCommands":
            return await self.bot.set_my_commands(
                [BotCommand(c["command"], c["description"]) for c in params["commands"]],
                scope=BotCommandScope.de_json(params["scope"], self.bot),
            )
        if method == "sendMessage":
            lpo = params.pop("link_preview_options", None)
            return await self.bot.send_message(chat_id=chat_id, disable_web_page_preview=bool(lpo), **params)
        if method == "sendDocument":
            f = spec["file"]
            return await self.bot.send_document(chat_id=chat_id, document=InputFile(base64.b64decode(f["b64"]),
                                                filename=f["name"]), **params)
        if method == "editMessageText":
            params.pop("link_preview_options", None)
            return await self.bot.edit_message_text(chat_id=chat_id, **params)
        raise ValueError(f"outbox method not supported: {method}")


def _message_id(result) -> int | None:
    return getattr(result, "message_id", None)
