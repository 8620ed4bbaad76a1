"""What the rules need from outside the database: the clock, the zone, the secret and the few settings."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from storage.clock import Clock


@dataclass
class Context:
    clock: Clock
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    secret: bytes = b"change-me-change-me"
    admins: frozenset[int] = frozenset()
    quiet_start: int = 22
    quiet_end: int = 8
    bot_username: str | None = None
    invite_days: int = 30
    overdue_escalate_days: int = 3
    # The admin's holiday list (`storage.holidays`): a date -> whether it is a working day (False: a public
    # holiday on a weekday, True: a weekend day worked instead, 调休). Other days follow the weekday.
    calendar_days: dict[date, bool] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock.now()

    def local_now(self) -> datetime:
        return self.clock.now().astimezone(self.tz)
