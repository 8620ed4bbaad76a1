"""`targets set KEY --unit U|all --value V --by YYYY-MM-DD [--margin M]` and `targets import FILE` (Chinese headers)."""
from __future__ import annotations

from bot import config
from bot.cli.common import read_file, storage_session


async def cmd_set(args) -> int:
    from storage import kpi, targets

    async with storage_session() as (session, ctx):
        target = await targets.set_target(session, ctx, key=args.key, unit=args.unit, value=args.value, by=args.by,
                                          margin=args.margin)
        measure = kpi.MEASURES[target.key]
        print(f"target set: {target.key} ({args.unit}) {targets.fmt(measure, target.value, 'en')} by "
              f"{target.due_on.isoformat()}, baseline {targets.fmt(measure, target.baseline, 'en')}")
    return 0


async def cmd_import(args) -> int:
    from storage import tabular, targets

    data, name = read_file(args.file)
    rows = await tabular.read_off_loop(targets.read, data, name, config.load().upload_limits)
    async with storage_session() as (session, ctx):
        done = await targets.import_rows(session, ctx, rows)  # a refused row rolls the whole file back
    print(f"targets: {len(done)} set")
    return 0


def register(sub) -> None:
    group = sub.add_parser("targets", help="SMART targets per indicator and unit")
    gsub = group.add_subparsers(dest="targets_command", required=True)
    p = gsub.add_parser("set", help="set a target: a value to reach by a date")
    p.add_argument("key", help="indicator, e.g. lessons.coverage")
    p.add_argument("--unit", required=True, help="department or branch name, or all")
    p.add_argument("--value", help="the value to reach (percent as 0-100)")
    p.add_argument("--by", help="YYYY-MM-DD, after today")
    p.add_argument("--margin", help="warn when worse than the 30 days before by more than this (percent as "
                                    "points; default: the indicator's margin)")
    p.set_defaults(func=cmd_set)
    p = gsub.add_parser("import", help="set targets from .csv/.xlsx (指标, 单位, 目标值, 完成日期)")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)
