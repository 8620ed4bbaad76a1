"""`reception add --leader EMPLOYEE_NO --date D --from 14:00 --to 16:00 --slot 30 --capacity 1 --place TEXT
[--audience A] [--notice-days N] [--monthly-day N | --weekly-weekday N] [--count K]`."""
from __future__ import annotations

from bot.cli import CliError
from bot.cli.common import storage_session

DEFAULT_COUNT = 3


async def cmd_add(args) -> int:
    from storage import calendar, reception

    rule, value = (("monthly", args.monthly_day) if args.monthly_day is not None else
                   ("weekly", args.weekly_weekday) if args.weekly_weekday is not None else (None, None))
    if rule is None and args.count is not None:
        raise CliError("--count needs --monthly-day or --weekly-weekday")
    count = DEFAULT_COUNT if args.count is None else args.count
    # Values are read before the database is touched; the rest is checked in the one transaction.
    spec = reception.DaySpec(leader_no=args.leader, day=reception.parse_date(args.date),
                             start=reception.parse_time(args.start), end=reception.parse_time(args.end),
                             slot_minutes=args.slot, capacity=args.capacity, place=args.place,
                             audience=args.audience, notice_days=args.notice_days, rule=rule, rule_value=value,
                             ahead=count)
    async with storage_session() as (session, ctx):
        shifts: list = []
        days = await reception.create(session, ctx, spec, actor_id=None, shifts=shifts)
        for d in days:
            print(f"reception day {d.id}: {d.day.isoformat()} {calendar.local(d.starts_at, ctx):%H:%M}-"
                  f"{calendar.local(d.ends_at, ctx):%H:%M} {d.place}")
    for planned, moved in shifts:
        print(f"{planned.isoformat()} is not a working day: " + (f"moved to {moved.isoformat()}" if moved else "skipped"))
    if rule is not None:
        print(f"recurring {rule} ({value}); {count} upcoming days are kept open for booking")
    return 0


def register(sub) -> None:
    group = sub.add_parser("reception", help="leader reception days")
    rsub = group.add_subparsers(dest="reception_command", required=True)
    p = rsub.add_parser("add", help="create a reception day, or a recurring series of them")
    p.add_argument("--leader", required=True, help="the leader's employee number")
    p.add_argument("--date", required=True, help="the day (for a series: the first day it may fall on)")
    p.add_argument("--from", dest="start", required=True, help="start time, e.g. 14:00")
    p.add_argument("--to", dest="end", required=True, help="end time, e.g. 16:00")
    p.add_argument("--slot", type=int, default=30, help="minutes per slot (default 30)")
    p.add_argument("--capacity", type=int, default=1, help="members per slot (default 1)")
    p.add_argument("--place", required=True)
    p.add_argument("--audience", default="all", help="who may book: all, unit:X, branch:X, party, role:R (or 全体, 部门:X, 支部:X, 党员, 角色:R)")
    p.add_argument("--notice-days", type=int, default=2, help="working days' notice for booking (default 2)")
    repeat = p.add_mutually_exclusive_group()
    repeat.add_argument("--monthly-day", type=int, help="repeat monthly on this day of the month")
    repeat.add_argument("--weekly-weekday", type=int, help="repeat weekly on this weekday (1 Monday - 7 Sunday)")
    p.add_argument("--count", type=int, help=f"for a series: upcoming days kept open (default {DEFAULT_COUNT})")
    p.set_defaults(func=cmd_add)
