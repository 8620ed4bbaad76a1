"""Configuration from the environment, validated once at start.

A bad value stops the program with one line naming the variable and what is wrong.
"""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.tabular import CHAT, MB, ROSTER_CLI


class ConfigError(Exception):
    """One line: which variable, what is wrong."""


@dataclass(frozen=True)
class Config:
    token: str | None = field(default=None, repr=False)  # never in a log line or a traceback
    api_url: str = "https://api.telegram.org"
    database_url: str = ""
    data_dir: Path = Path("./data")
    secret: bytes = field(default=b"", repr=False)
    admins: frozenset[int] = frozenset()
    timezone: str = "Asia/Shanghai"
    tick_seconds: float = 30.0
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    http_port: int | None = None
    rate_per_second: float = 30.0
    chat_interval: float = 1.0
    broadcast_headroom: float = 0.2
    outbox_lease_seconds: float = 60.0
    bot_username: str | None = None
    quiet_start: int = 22
    quiet_end: int = 8
    overdue_escalate_days: int = 3
    upload_max_rows: int = 20_000      # a table sent in chat (tasks, surveys, targets, roster)
    upload_max_mb: float = 5.0
    upload_seconds: float = 20.0
    roster_max_rows: int = 200_000     # `roster import` on the command line
    extra: dict = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def webhook_mode(self) -> bool:
        return bool(self.webhook_url)

    @property
    def upload_limits(self):
        """What a table sent in chat may hold."""
        return replace(CHAT, max_rows=self.upload_max_rows, max_bytes=int(self.upload_max_mb * MB),
                       seconds=self.upload_seconds)

    @property
    def roster_limits(self):
        """What a roster file given to `roster import` may hold."""
        return replace(ROSTER_CLI, max_rows=self.roster_max_rows,
                       max_unpacked=max(ROSTER_CLI.max_unpacked, self.roster_max_rows * 3200))

    def with_(self, **changes) -> "Config":
        return replace(self, **changes)


def _float(env, name, default, minimum=0.0) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a number") from None
    if value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {raw}")
    return value


def _count(env, name, default) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name}: must be a whole number of at least 1, got {raw!r}")
    return int(raw)


def _share(env, name, default) -> float:
    value = _float(env, name, default)
    if value >= 1:
        raise ConfigError(f"{name}: a share of the rate below 1 (0.2 is 20%), got {env.get(name)}")
    return value


def _hour(env, name, default) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not 0 <= int(raw) <= 23:
        raise ConfigError(f"{name}: must be an hour 0-23, got {raw!r}")
    return int(raw)


def load_secret(data_dir: Path, raw: str | None) -> bytes:
    """TONGXIN_SECRET, or a secret generated once into the data dir (mode 0600)."""
    if raw:
        if len(raw) < 16:
            raise ConfigError("TONGXIN_SECRET: must be at least 16 characters")
        return raw.encode()
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip().encode()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value.encode()


def load(env: dict[str, str] | None = None, *, need_token: bool = False) -> Config:
    env = dict(os.environ if env is None else env)
    token = env.get("TELEGRAM_BOT_TOKEN") or None
    if need_token and not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN: required to run the bot (or use `sandbox`)")
    if token and not re.fullmatch(r"\d+:[A-Za-z0-9_-]{5,}", token):
        raise ConfigError("TELEGRAM_BOT_TOKEN: not a bot token (expected <digits>:<letters>)")

    api_url = (env.get("TELEGRAM_API_URL") or "https://api.telegram.org").rstrip("/")
    if not re.match(r"^https?://[^/]+", api_url):
        raise ConfigError(f"TELEGRAM_API_URL: must be an http(s) URL, got {api_url!r}")

    data_dir = Path(env.get("TONGXIN_DATA_DIR") or "./data")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"TONGXIN_DATA_DIR: cannot create {data_dir}: {exc.strerror}") from None

    database_url = env.get("DATABASE_URL") or f"sqlite+aiosqlite:///{(data_dir / 'tongxin.db').resolve()}"
    if not (database_url.startswith("sqlite+aiosqlite://") or database_url.startswith("postgresql+asyncpg://")):
        raise ConfigError("DATABASE_URL: must start with sqlite+aiosqlite:// or postgresql+asyncpg://")

    admins: set[int] = set()
    for part in (env.get("TONGXIN_ADMINS") or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(f"TONGXIN_ADMINS: {part!r} is not a Telegram user id")
        admins.add(int(part))

    tz_name = env.get("TONGXIN_TIMEZONE") or "Asia/Shanghai"
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TONGXIN_TIMEZONE: unknown time zone {tz_name!r}") from None

    tick = _float(env, "TONGXIN_TICK_SECONDS", 30.0, minimum=0.1)

    webhook_url = env.get("WEBHOOK_URL") or None
    webhook_secret = env.get("WEBHOOK_SECRET") or None
    if webhook_url:
        if not webhook_url.startswith("https://") and not webhook_url.startswith("http://"):
            raise ConfigError("WEBHOOK_URL: must be an http(s) URL")
        if not webhook_secret:
            raise ConfigError("WEBHOOK_SECRET: required with WEBHOOK_URL")
    if webhook_secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", webhook_secret):
        raise ConfigError("WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and -")
    port_raw = env.get("TONGXIN_HTTP_PORT")
    http_port = None
    if port_raw:
        if not port_raw.isdigit() or not 0 < int(port_raw) < 65536:
            raise ConfigError(f"TONGXIN_HTTP_PORT: not a port number: {port_raw!r}")
        http_port = int(port_raw)
    elif webhook_url:
        http_port = 8080

    quiet_start = _hour(env, "TONGXIN_QUIET_START", 22)
    quiet_end = _hour(env, "TONGXIN_QUIET_END", 8)

    escalate_raw = env.get("TONGXIN_OVERDUE_ESCALATE_DAYS") or "3"
    if not escalate_raw.isdigit() or not 1 <= int(escalate_raw) <= 60:
        raise ConfigError(f"TONGXIN_OVERDUE_ESCALATE_DAYS: must be a number of days 1-60, got {escalate_raw!r}")

    return Config(
        token=token,
        api_url=api_url,
        database_url=database_url,
        data_dir=data_dir,
        secret=load_secret(data_dir, env.get("TONGXIN_SECRET")),
        admins=frozenset(admins),
        timezone=tz_name,
        tick_seconds=tick,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        http_port=http_port,
        rate_per_second=_float(env, "TONGXIN_RATE_PER_SECOND", 30.0),
        chat_interval=_float(env, "TONGXIN_CHAT_INTERVAL", 1.0),
        broadcast_headroom=_share(env, "TONGXIN_BROADCAST_HEADROOM", 0.2),
        outbox_lease_seconds=_float(env, "TONGXIN_OUTBOX_LEASE_SECONDS", 60.0, minimum=1.0),
        bot_username=env.get("TONGXIN_BOT_USERNAME") or None,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        overdue_escalate_days=int(escalate_raw),
        upload_max_rows=_count(env, "TONGXIN_UPLOAD_MAX_ROWS", 20_000),
        upload_max_mb=_float(env, "TONGXIN_UPLOAD_MAX_MB", 5.0, minimum=0.01),
        upload_seconds=_float(env, "TONGXIN_UPLOAD_SECONDS", 20.0, minimum=1.0),
        roster_max_rows=_count(env, "TONGXIN_ROSTER_MAX_ROWS", 200_000),
    )
