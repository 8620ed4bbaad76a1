"""The holiday list working days are counted with: loaded from a file by an admin (`calendar holidays FILE`),
kept in `calendar_days`, and held in `ctx.calendar_days` for `storage.calendar` (refreshed every tick, and
before a recurring reception day is generated).

A file has a date column, optionally a name and a kind: a day off (休, the default) or a weekend day worked
instead (班, 调休). Loading a file replaces the list for the years it covers and keeps the other years.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, extract, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, producers
from storage.context import Context
from storage.errors import InvalidFile, Problem
from storage.models.holidays import CalendarDay
from storage.tabular import CHAT, Limits, Row, parse_datetime, read_table

COLUMNS = {
    "date": ("日期", "date", "day"),
    "name": ("名称", "节日", "假日", "节假日", "name", "holiday"),
    "kind": ("类型", "安排", "kind", "type"),
}
REQUIRED = ("date",)
OFF = {"", "休", "假", "休息", "放假", "节假日", "off", "holiday", "rest"}
WORKING = {"班", "上班", "补班", "调休上班", "工作日", "work", "working", "workday"}
NAME_MAX = 100


@dataclass
class Entry:
    row: int
    day: date
    working: bool
    name: str


def read(data: bytes, filename: str, limits: Limits = CHAT) -> list[Row]:
    """Synchronous: run it off the event loop (`tabular.read_off_loop`), outside a transaction."""
    return read_table(data, filename, COLUMNS, REQUIRED, limits)


def check(rows: list[Row]) -> list[Entry]:
    """Every row checked; the whole file refused with row-numbered reasons when any is wrong."""
    problems: list[Problem] = []
    seen: dict[date, int] = {}
    out = []
    for r in rows:
        parsed = parse_datetime(r.values.get("date"))
        if parsed is None or parsed[1] is not None:
            problems.append(Problem(r.number, "bad_date", {"column": "date", "value": r.text("date")}))
            continue
        kind = r.text("kind").lower()
        if kind not in OFF and kind not in WORKING:
            problems.append(Problem(r.number, "bad_value", {"column": "kind", "value": r.text("kind")}))
            continue
        day = parsed[0]
        if day in seen:
            problems.append(Problem(r.number, "duplicate", {"column": "date", "value": day.isoformat(),
                                                            "first": seen[day]}))
            continue
        seen[day] = r.number
        out.append(Entry(r.number, day, kind in WORKING, r.text("name")[:NAME_MAX]))
    if problems:
        raise InvalidFile(problems)
    return out


@dataclass
class Loaded:
    off: int
    working: int
    years: list[int]


async def apply(session: AsyncSession, ctx: Context, entries: list[Entry], *, actor_id: int | None = None) -> Loaded:
    """Replace the list for the years the file covers; the context sees it at once."""
    years = sorted({e.day.year for e in entries})
    await session.execute(delete(CalendarDay).where(extract("year", CalendarDay.day).in_(years)))
    session.add_all(CalendarDay(day=e.day, working=e.working, name=e.name) for e in entries)
    await session.flush()
    audit.record(session, ctx, "calendar.holidays_loaded", "calendar", 0, actor_id=actor_id, years=years,
                 days=len(entries))
    await refresh(session, ctx)
    return Loaded(sum(1 for e in entries if not e.working), sum(1 for e in entries if e.working), years)


async def refresh(session: AsyncSession, ctx: Context) -> None:
    """Hand the stored list to the rules context (one small read)."""
    ctx.calendar_days = dict((await session.execute(select(CalendarDay.day, CalendarDay.working))).all())


@producers.producer("calendar.holidays")
async def produce_refresh(session: AsyncSession, ctx: Context) -> int:
    """Each tick picks up a list loaded by the CLI in another process."""
    await refresh(session, ctx)
    return 0
