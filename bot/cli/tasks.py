"""`tasks import FILE`: the responsibility list from .csv/.xlsx, upserted by task_no."""
from __future__ import annotations

from bot import config
from bot.cli.common import read_file, storage_session


async def cmd_import(args) -> int:
    from storage import tasks

    data, name = read_file(args.file)
    rows = tasks.read(data, name, config.load().upload_limits)  # read before a transaction is opened
    async with storage_session() as (session, ctx):
        # The whole file is checked against the organisation before anything is written; a refusal
        # (InvalidFile) rolls the transaction back.
        entries = await tasks.check(session, rows)
        result = await tasks.apply(session, ctx, entries)
    print(f"tasks: {result.created} created, {result.updated} updated, {result.rescheduled} rescheduled")
    return 0


def register(sub) -> None:
    group = sub.add_parser("tasks", help="the responsibility list")
    gsub = group.add_subparsers(dest="tasks_command", required=True)
    p = gsub.add_parser("import", help="import or update tasks from .csv/.xlsx (by task_no)")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)
