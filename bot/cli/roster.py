"""`roster import FILE [--out CODES.csv]`, `roster deactivate NO…`."""
from __future__ import annotations

from pathlib import Path

from bot import config
from bot.cli.common import read_file, storage_session


async def cmd_import(args) -> int:
    from storage.commands import enqueue_menus
    from storage import roster

    data, name = read_file(args.file)
    entries = roster.check(data, name, config.load().roster_limits)  # refuses before touching the database
    async with storage_session() as (session, ctx):
        result = await roster.apply(session, ctx, entries)
        await enqueue_menus(session, ctx, result.relinked_member_ids)
    print(f"roster: {result.created} created, {result.updated} updated, {len(result.invitations)} invite codes")
    if args.out:
        Path(args.out).write_bytes(roster.codes_csv(result.invitations))
        print(f"invite codes written to {args.out}")
    else:
        for inv in result.invitations:
            print(f"{inv.employee_no}\t{inv.name}\t{inv.code}\t{inv.link}")
    if result.invitations and not ctx.bot_username:
        print("note: the bot's username is not known yet (run the bot once or set TONGXIN_BOT_USERNAME); "
              "links are empty, codes work with /start CODE")
    return 0


async def cmd_deactivate(args) -> int:
    from storage import leaving

    async with storage_session() as (session, ctx):
        people = await leaving.by_numbers(session, args.employee_no)  # refuses before changing anything
        results = await leaving.deactivate(session, ctx, people)
    for r in results:
        print(f"deactivated {r.member['no']}\t{r.member['name']}\t{len(r.tasks)} open tasks")
        for t in r.tasks:
            who = ", ".join(t["secretaries"]) or "the admins"
            print(f"  reassign {t['no']}\t{t['title']}\tlead {t['lead']}\t{who}")
    return 0


def register(sub) -> None:
    roster = sub.add_parser("roster", help="the member roster")
    rsub = roster.add_subparsers(dest="roster_command", required=True)
    p = rsub.add_parser("import", help="import members from .csv/.xlsx and issue invite codes")
    p.add_argument("file")
    p.add_argument("--out", help="write employee_no,name,invite_code,invite_link to this CSV")
    p.set_defaults(func=cmd_import)
    p = rsub.add_parser("deactivate", help="deactivate members (their history stays; open tasks are listed)")
    p.add_argument("employee_no", nargs="+")
    p.set_defaults(func=cmd_deactivate)
