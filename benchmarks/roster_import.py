"""Roster import at scale: rows per second for 10,000 and 100,000 members, and their ratio (1.0 is linear).

    .venv/bin/python benchmarks/roster_import.py [--sizes 10000,100000] [--database-url URL] [--memory]

Each size is a fresh SQLite database (or the given URL) and a CSV as `roster import` reads it: the file is
read and checked (`roster.check`, with the command line's limits), then applied in one transaction. The goal
is 100,000 rows in under 30 s on SQLite, and a rate that does not fall as the roster grows.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage import migrate, roster  # noqa: E402
from storage.clock import Clock  # noqa: E402
from storage.context import Context  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.tabular import ROSTER_CLI  # noqa: E402


def roster_csv(n: int) -> bytes:
    lines = ["工号,姓名,部门,支部,党员,角色"]
    lines += [f"{100000 + i},员工{i},厂区{i % 7}/车间{i % 50},第{i % 30}支部,{'是' if i % 3 else '否'},"
              for i in range(n)]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


async def one(n: int, url: str | None, memory: bool) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        await migrate.upgrade(url)
        db = Database(url)
        ctx = Context(clock=Clock(), secret=b"benchmark-secret", bot_username="tongxin_bench_bot")
        data = roster_csv(n)
        if memory:
            tracemalloc.start()  # slows Python down about twice: off unless asked for
        started = time.perf_counter()
        entries = roster.check(data, "roster.csv", ROSTER_CLI)
        async with db.session() as session:
            result = await roster.apply(session, ctx, entries)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if memory else 0
        tracemalloc.stop()
        await db.dispose()
        assert result.created == n and len(result.invitations) == n
        return elapsed, peak


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--database-url", help="an empty database (default: a fresh SQLite file per size)")
    parser.add_argument("--memory", action="store_true", help="also trace the peak Python memory (slower)")
    args = parser.parse_args()
    rates = []
    for n in [int(s) for s in args.sizes.split(",")]:
        elapsed, peak = await one(n, args.database_url, args.memory)
        rates.append(n / elapsed)
        memory = f", peak Python memory {peak / 2**20:.0f} MB" if args.memory else ""
        print(f"{n:>7} rows: {elapsed:6.1f} s, {n / elapsed:8.0f} rows/s{memory}")
    if len(rates) > 1:
        print(f"rate ratio (largest / smallest): {rates[-1] / rates[0]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
