"""What CLI commands share: config, an upgraded database, and the rules context."""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from bot import config as config_module
from bot.cli import CliError
from storage import migrate, settings
from storage.clock import Clock
from storage.context import Context
from storage.db import Database


def read_file(path: str) -> tuple[bytes, str]:
    p = Path(path)
    if not p.is_file():
        raise CliError(f"{path}: no such file")
    return p.read_bytes(), p.name


@asynccontextmanager
async def storage_session():
    """(session, ctx) on the configured database, upgraded to head; commits on success."""
    cfg = config_module.load()
    await migrate.upgrade(cfg.database_url)
    db = Database(cfg.database_url)
    ctx = Context(clock=Clock(), tz=cfg.tz, secret=cfg.secret, admins=cfg.admins, quiet_start=cfg.quiet_start,
                  quiet_end=cfg.quiet_end,
                  overdue_escalate_days=cfg.overdue_escalate_days, bot_username=cfg.bot_username)
    try:
        async with db.session() as session:
            if ctx.bot_username is None:
                ctx.bot_username = await settings.get(session, "bot_username")
            yield session, ctx
    finally:
        await db.dispose()
