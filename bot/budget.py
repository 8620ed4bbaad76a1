"""One send budget per bot: every Bot API call that puts something in a chat waits here for its slot.

It is python-telegram-bot's rate limiter hook, so direct replies, callback answers, error messages and the
outbox sender all go through it. Telegram's limits (about 30 messages/s overall, 1/s per chat) are kept by
handing out one slot at a time, highest lane first, oldest first within a lane: a reply asked for in the
middle of a broadcast gets the next slot. While other lanes have sent in the last second, broadcasts keep
`headroom` of the rate free for them. A 429 pauses every call of the bot for `retry_after` (calls already
waiting wait too) and the refused call is asked again, never dropped. 5xx and network errors on a reply are
retried with a short bounded back-off; the outbox sender keeps its own, persisted, back-off.
"""
from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from datetime import timedelta

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot.metrics import Metrics
from storage.models.outbox import BROADCAST, LANE_NAMES, REPLY

# Calls that count against Telegram's message limits (and the per-chat one when they name a chat).
MESSAGES = frozenset({"sendMessage", "sendDocument", "sendPhoto", "sendPoll", "sendMediaGroup", "sendAudio",
                      "sendVideo", "sendVoice", "sendLocation", "sendContact", "sendSticker", "copyMessage",
                      "forwardMessage", "editMessageText", "editMessageReplyMarkup", "editMessageCaption"})
# Calls that take a slot but have no chat to pace.
OTHERS = frozenset({"answerCallbackQuery", "setMyCommands", "deleteMyCommands", "deleteMessage"})
RESERVE_WINDOW = 1.0  # seconds after another lane sent during which broadcasts keep the headroom


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class SendBudget(BaseRateLimiter):
    def __init__(self, per_second: float = 30.0, chat_interval: float = 1.0, *, headroom: float = 0.2,
                 metrics: Metrics | None = None, reply_retries: int = 3, reply_backoff: float = 0.5,
                 max_throttled: int = 5):
        self.per_second, self.chat_interval, self.headroom = per_second, chat_interval, min(max(headroom, 0), .9)
        self.metrics = metrics or Metrics()
        self.reply_retries, self.reply_backoff, self.max_throttled = reply_retries, reply_backoff, max_throttled
        self.share = 1.0  # of the rate this process may use (a replica standing by sends only replies)
        self._asks: list[tuple[int, int, int | None, asyncio.Future]] = []
        self._seq = itertools.count()
        self._next_global = self._next_broadcast = self._paused_until = 0.0
        self._last_other = float("-inf")
        self._next_chat: dict[int, float] = {}
        self._arrived = asyncio.Event()
        self._pump: asyncio.Task | None = None

    # --- PTB's hook ----------------------------------------------------------------------------

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        if endpoint not in MESSAGES and endpoint not in OTHERS:
            return await callback(*args, **kwargs)
        options = rate_limit_args or {}
        if options.get("bypass"):  # the outbox sender asked for its slot already
            return await callback(*args, **kwargs)
        lane = options.get("lane", REPLY)
        chat = data.get("chat_id") if endpoint in MESSAGES else None
        retries = options.get("network_retries", self.reply_retries if lane == REPLY else 0)
        return await self.run(lambda: callback(*args, **kwargs), lane=lane, chat=chat, retries=retries,
                              message=endpoint in MESSAGES)

    # --- the budget --------------------------------------------------------------------------

    @property
    def gap(self) -> float:
        return 1.0 / (self.per_second * self.share) if self.per_second > 0 and self.share > 0 else 0.0

    async def run(self, call, *, lane: int, chat=None, retries: int = 0, message: bool = True):
        """Make one call under the budget; 429s are waited out and asked again, network errors retried."""
        started = time.monotonic()
        name = LANE_NAMES.get(lane, str(lane))
        throttled = failures = 0
        while True:
            await self.slot(lane, chat)
            try:
                result = await call()
            except RetryAfter as exc:
                self.pause(retry_after_seconds(exc))
                self.metrics.throttled.inc()
                throttled += 1
                if throttled > self.max_throttled:
                    raise
                self.metrics.retries.labels(name).inc()
                continue
            except BadRequest:
                raise
            except NetworkError as exc:  # 5xx, connection refused or reset, timeout
                if isinstance(exc, TimedOut):
                    self.metrics.uncertain.inc()  # the request may have reached Telegram
                failures += 1
                if failures > retries:
                    raise
                self.metrics.retries.labels(name).inc()
                await asyncio.sleep(min(self.reply_backoff * 2 ** (failures - 1), 4.0))
                continue
            finally:
                self._answered(chat)
            if message:
                self.metrics.sent.labels(name).inc()
            if lane == REPLY:
                self.metrics.reply_latency.observe(time.monotonic() - started)
            return result

    def _answered(self, chat) -> None:
        """Pace a chat's next message from the answer, not only from the slot: Telegram stamps a message
        somewhere between our request and its answer, and a request can leave late (the outbox sender first
        commits its in-flight mark), so only the answer bounds the gap Telegram sees from below."""
        if chat is not None and self.chat_interval:
            self._next_chat[chat] = max(self._next_chat.get(chat, 0.0), time.monotonic() + self.chat_interval)

    def pause(self, seconds: float) -> None:
        """Nothing of this bot is sent for `seconds` (a 429's retry_after)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self._arrived.set()

    async def paused_out(self) -> None:
        """Wait out a pause that began after this call's slot was given (its request has not left yet)."""
        while (left := self._paused_until - time.monotonic()) > 0:
            await asyncio.sleep(left)

    @property
    def paused(self) -> bool:
        return time.monotonic() < self._paused_until

    async def slot(self, lane: int, chat=None) -> None:
        """Wait for this call's turn: after any pause, one pacing gap after the last call, per chat apart."""
        if not self.gap and not self.chat_interval:
            while (left := self._paused_until - time.monotonic()) > 0:
                await asyncio.sleep(left)
            return
        granted = asyncio.get_running_loop().create_future()
        heapq.heappush(self._asks, (lane, next(self._seq), chat, granted))
        self._arrived.set()
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._hand_out())
        await granted  # a cancelled ask is skipped by the pump

    async def _hand_out(self) -> None:
        while True:
            self._asks = [a for a in self._asks if not a[3].done()]
            heapq.heapify(self._asks)
            if not self._asks:
                return
            now = time.monotonic()
            start = max(self._next_global, self._paused_until)
            if now < start:
                await self._wait(start - now)
                continue
            reserving = now - self._last_other < RESERVE_WINDOW and self.headroom > 0
            chosen, soonest = None, float("inf")
            for ask in sorted(self._asks):
                lane, _, chat, _ = ask
                ready = self._next_chat.get(chat, 0.0) if chat is not None else 0.0
                if lane == BROADCAST and reserving:
                    ready = max(ready, self._next_broadcast)
                if ready <= now:
                    chosen = ask
                    break
                soonest = min(soonest, ready)
            if chosen is None:
                await self._wait(soonest - now)
                continue
            self._asks.remove(chosen)
            lane, _, chat, granted = chosen
            # Paced on absolute slots: the next one is a gap after this one was due, so a timer firing a
            # millisecond late does not push every later slot back (3% over a long broadcast). A slot later
            # than a quarter gap starts the schedule afresh: two calls are never closer than 3/4 of a gap,
            # and no second is ever over the rate (any 31 slots at 30/s span at least 1 s - gap/4).
            base = start if now - start <= self.gap / 4 else now
            self._next_global = base + self.gap
            if chat is not None and self.chat_interval:
                self._next_chat[chat] = now + self.chat_interval
                if len(self._next_chat) > 10_000:
                    self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
            if lane == BROADCAST:
                self._next_broadcast = base + self.gap / (1 - self.headroom)
            else:
                self._last_other = now
            granted.set_result(None)

    async def _wait(self, seconds: float) -> None:
        self._arrived.clear()
        try:
            await asyncio.wait_for(self._arrived.wait(), max(seconds, 0.0))
        except asyncio.TimeoutError:
            pass
