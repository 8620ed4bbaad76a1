"""Local time, quiet hours and working days in the organisation's zone."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from storage.context import Context
from storage.tabular import parse_datetime


def local(dt: datetime, ctx: Context) -> datetime:
    return dt.astimezone(ctx.tz)


def at_local(day: date, clock_time: time, ctx: Context) -> datetime:
    """A wall-clock moment of the organisation, as aware UTC."""
    return datetime.combine(day, clock_time, tzinfo=ctx.tz).astimezone(timezone.utc)


def parse_moment(value, ctx: Context, default: time) -> datetime | None:
    """A TIME as the contract writes it, as aware UTC: ISO 8601 with an offset (`2026-12-01T13:18+00:00`,
    `…Z`), or a date with an optional time in the organisation's zone (a date alone is at `default`).
    None when it is neither."""
    text = str(value or "").strip()
    if ("T" in text or " " in text) and text[:4].isdigit():
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(timezone.utc)
    parsed = parse_datetime(text)
    if parsed is None:
        return None
    day, at = parsed
    return at_local(day, at or default, ctx)


def is_quiet(moment: datetime, ctx: Context) -> bool:
    hour = local(moment, ctx).hour
    if ctx.quiet_start == ctx.quiet_end:
        return False
    if ctx.quiet_start > ctx.quiet_end:  # spans midnight, e.g. 22-08
        return hour >= ctx.quiet_start or hour < ctx.quiet_end
    return ctx.quiet_start <= hour < ctx.quiet_end


def after_quiet(moment: datetime, ctx: Context) -> datetime:
    """`moment` itself, or the end of the quiet hours it falls in."""
    if not is_quiet(moment, ctx):
        return moment
    loc = local(moment, ctx)
    day = loc.date()
    if ctx.quiet_start > ctx.quiet_end and loc.hour >= ctx.quiet_start:
        day = day + timedelta(days=1)
    return at_local(day, time(ctx.quiet_end), ctx)


def awake_after(start: datetime, span: timedelta, ctx: Context) -> datetime:
    """The moment `span` after `start` counting only time outside the quiet hours: a hold that begins at
    21:27 with two hours runs 33 minutes before 22:00 and the rest from 08:00, so it never ends while
    people sleep."""
    moment, left = after_quiet(start, ctx), span
    if ctx.quiet_start == ctx.quiet_end:
        return moment + left
    for _ in range(400):  # a span of a year at most; never a loop without end
        loc = local(moment, ctx)
        quiet = at_local(loc.date(), time(ctx.quiet_start), ctx)
        if quiet <= moment:
            quiet = at_local(loc.date() + timedelta(days=1), time(ctx.quiet_start), ctx)
        if moment + left < quiet:
            return moment + left
        left -= quiet - moment
        moment = after_quiet(quiet, ctx)
    return moment + left


def delivery_note(moment: datetime, ctx: Context) -> datetime | None:
    """When something scheduled for `moment` actually goes out (local), if quiet hours hold it; else None."""
    return local(after_quiet(moment, ctx), ctx) if is_quiet(moment, ctx) else None


def is_working_day(day: date, ctx: Context | None = None) -> bool:
    """Monday to Friday, unless the holiday list (`ctx.calendar_days`, see `storage.holidays`) says otherwise."""
    listed = ctx.calendar_days.get(day) if ctx is not None else None
    return day.weekday() < 5 if listed is None else listed


def next_working_day(day: date, ctx: Context | None = None) -> date:
    """`day` itself, or the first working day after it."""
    while not is_working_day(day, ctx):
        day = day + timedelta(days=1)
    return day


def add_working_days(day: date, n: int, ctx: Context | None = None) -> date:
    step = 1 if n >= 0 else -1
    left = abs(n)
    while left:
        day = day + timedelta(days=step)
        if is_working_day(day, ctx):
            left -= 1
    return day


def working_days_between(start: date, end: date, ctx: Context | None = None) -> int:
    """Working days after `start` up to and including `end`."""
    count, day = 0, start
    while day < end:
        day = day + timedelta(days=1)
        if is_working_day(day, ctx):
            count += 1
    return count
