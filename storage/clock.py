"""The one clock every rule asks for "now", so tests move time instead of sleeping."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


class Clock:
    """Wall clock in UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FrozenClock(Clock):
    """A clock that only moves when told to (tests, benchmarks, the sandbox's time travel)."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, **delta) -> datetime:
        self._now = self._now + timedelta(**delta)
        return self._now
