"""Process-wide locks in the database: one polling process per bot, one migration run at a time.

PostgreSQL: an advisory lock, held by a dedicated connection (for polling, as long as the process lives;
the server drops it when the connection dies, `kill -9` included). SQLite: an `flock` on a file beside the
database, which every process opening that file sees and the kernel drops when the process dies.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class Busy(Exception):
    """Another process holds the lock."""


def key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for a name."""
    return int.from_bytes(hashlib.sha256(b"tongxin:" + name.encode()).digest()[:8], "big", signed=True)


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for an in-memory database)."""
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


@contextmanager
def file_lock(path: Path, *, wait: bool):
    """An exclusive `flock` on `path` for the block; Busy when `wait` is False and someone holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise Busy(str(path)) from None
        yield
    finally:
        os.close(fd)  # closing drops the lock


class ProcessLock:
    """Held from `acquire` until `release` (or the process's death); Busy when another process has it."""

    def __init__(self, engine: AsyncEngine, name: str):
        self.engine, self.name = engine, name
        self._conn: AsyncConnection | None = None
        self._file = None

    async def acquire(self) -> None:
        if self.engine.dialect.name == "postgresql":
            conn = await self.engine.connect()
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key(self.name)})
            if not got:
                await conn.close()
                raise Busy(self.name)
            self._conn = conn
            return
        database = sqlite_file(str(self.engine.url))
        if database is None:
            return  # an in-memory database lives in one process only
        self._file = file_lock(database.with_name(f"{database.name}.{self.name}.lock"), wait=False)
        self._file.__enter__()

    async def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key(self.name)})
            finally:
                await conn.close()
        if self._file is not None:
            held, self._file = self._file, None
            held.__exit__(None, None, None)
