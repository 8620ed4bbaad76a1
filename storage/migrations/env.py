"""Alembic environment: runs migrations over the async engine of the configured URL, under a lock.

Processes starting together (N replicas, a bot and a CLI command) would otherwise all create
`alembic_version` and the tables at once, and all but one crash: on PostgreSQL a transaction-scoped
advisory lock taken before Alembic looks at anything makes the others wait and then find the schema at
head; on SQLite a lock file beside the database does the same.
"""
from __future__ import annotations

import asyncio
from contextlib import nullcontext

from alembic import context
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from storage import locks
from storage.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def _main() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = create_async_engine(url)
    database = locks.sqlite_file(url) if engine.dialect.name == "sqlite" else None
    try:
        with locks.file_lock(database.with_name(f"{database.name}.migrate.lock"), wait=True) if database \
                else nullcontext():
            async with engine.connect() as conn:
                if engine.dialect.name == "postgresql":
                    await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": locks.key("migrations")})
                await conn.run_sync(_run)
                await conn.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_main())
