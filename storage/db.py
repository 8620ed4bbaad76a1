"""Engine and session factory: SQLite with WAL, foreign keys, a busy timeout, secure delete and immediate
write transactions; PostgreSQL through asyncpg. One session per update or job, opened by `Database.session()`."""
from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        _tune_sqlite(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Take over transaction control so BEGIN IMMEDIATE below is what starts every transaction:
        # SQLite otherwise upgrades a deferred transaction to a write lock late and fails with "locked".
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten with zeros, not left in free space: a sealed row that was opened and
        # deleted leaves nothing behind in the file.
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the engine and hands out one short transaction at a time."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Called after a commit that enqueued outbox rows (the sender wakes right away, not at its next look).
        self.outbox_listeners: list[Callable[[], None]] = []

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A transaction: committed when the block ends, rolled back on an exception."""
        async with self.sessions() as session:
            async with session.begin():
                yield session
            if session.info.pop("outbox_written", False):
                for listener in self.outbox_listeners:
                    listener()

    async def vacuum(self, tables: tuple[str, ...]) -> None:
        """Reclaim the dead rows of these tables now (PostgreSQL; SQLite zeroes deleted rows as it goes).

        VACUUM cannot run inside a transaction, so it takes a connection of its own in autocommit."""
        if not self.is_postgres:
            return
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in tables:
                await conn.exec_driver_sql(f'VACUUM "{table}"')

    async def dispose(self) -> None:
        await self.engine.dispose()
