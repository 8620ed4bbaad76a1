"""Fixtures: a migrated SQLite template, the bot against the fake Bot API, and a real PostgreSQL cluster."""
from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import asynccontextmanager

import pytest

from bot.cli import main
from bot.sandbox.fakeapi import FakeBotAPI
from storage import migrate
from storage.clock import FrozenClock
from storage.context import Context
from storage.db import Database
from tests.support.botenv import DEFAULT_NOW, BotEnv, make_config
from tests.support.postgres import Cluster


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """One migrated database file, copied for each test (migrating per test costs more than the test)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade_sync(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path):
    target = tmp_path / "tongxin.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def clock():
    return FrozenClock(DEFAULT_NOW)


@pytest.fixture
async def db(sqlite_url):
    database = Database(sqlite_url)
    yield database
    await database.dispose()


@pytest.fixture
def ctx(clock):
    return Context(clock=clock, secret=b"test-secret-not-for-production", admins=frozenset({9000001}))


@pytest.fixture
def run_cli(monkeypatch, capsys, tmp_path, sqlite_url):
    """Run the command line in this process on a migrated SQLite: (exit code, stdout, stderr). The
    environment is cleared of the bot's variables first, so the host's settings never leak in."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "WEBHOOK_", "TONGXIN_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TONGXIN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TONGXIN_LANG", "zh")

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as done:
            main(list(args))
        out, err = capsys.readouterr()
        return done.value.code, out, err

    return run


@pytest.fixture
def run(run_cli):
    """`python -m bot ARGS` run in this process, answered as `subprocess.run` would (returncode, stdout,
    stderr), for tests that read the operator's output; `run(tmp_path, *args)` keeps the subprocess form."""
    def go(_tmp_path, *args: str) -> subprocess.CompletedProcess:
        code, out, err = run_cli(*args)
        return subprocess.CompletedProcess(args, code or 0, out, err)

    return go


@asynccontextmanager
async def running_bot(database_url: str, tmp_path, clock):
    """The whole bot on a migrated database, running against the fake Bot API over HTTP."""
    fake = FakeBotAPI()
    await fake.start()
    bot_env = BotEnv(fake, make_config(fake, tmp_path, database_url), clock)
    await bot_env.start(upgrade=False)
    try:
        yield bot_env
    finally:
        await bot_env.stop()
        await fake.stop()


@pytest.fixture
async def env(sqlite_url, tmp_path, clock):
    """The whole bot on a fresh SQLite database."""
    async with running_bot(sqlite_url, tmp_path, clock) as bot_env:
        yield bot_env


@pytest.fixture
async def pg_env(pg_url, tmp_path, clock):
    """The whole bot on a fresh PostgreSQL database."""
    async with running_bot(pg_url, tmp_path, clock) as bot_env:
        yield bot_env


@pytest.fixture(scope="session")
def pg_cluster():
    """A real PostgreSQL for the concurrency tests. Missing binaries fail the run: these tests never skip."""
    cluster = Cluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
async def pg_url(pg_cluster):
    url = await pg_cluster.create_database()
    await migrate.upgrade(url)
    return url
