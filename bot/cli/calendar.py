"""`calendar holidays FILE`: the holiday list (days off, and weekend days worked instead) working days are
counted with, from .csv/.xlsx; replaces the list for the years the file covers."""
from __future__ import annotations

from bot import config
from bot.cli.common import read_file, storage_session


async def cmd_holidays(args) -> int:
    from storage import holidays, tabular

    data, name = read_file(args.file)
    # Read and checked in a worker thread, with the upload caps, before a transaction is opened.
    rows = await tabular.read_off_loop(holidays.read, data, name, config.load().upload_limits)
    entries = holidays.check(rows)
    async with storage_session() as (session, ctx):
        loaded = await holidays.apply(session, ctx, entries)
    print(f"holidays: {loaded.off} day(s) off, {loaded.working} weekend working day(s) for "
          f"{', '.join(str(y) for y in loaded.years)}")
    return 0


def register(sub) -> None:
    group = sub.add_parser("calendar", help="the working-day calendar")
    gsub = group.add_subparsers(dest="calendar_command", required=True)
    p = gsub.add_parser("holidays", help="load the holiday list from .csv/.xlsx (date, optional name and kind 休/班)")
    p.add_argument("file")
    p.set_defaults(func=cmd_holidays)
