"""`member export --unit U --out FILE.xlsx [--year Y]`: the member files (一人一档) of a unit and the units
below it, one summary row and one sheet per member; nothing anonymous is included and the workbook says so."""
from __future__ import annotations

from pathlib import Path

from bot.cli import CliError, cli_lang
from bot.cli.common import storage_session


async def cmd_export(args) -> int:
    from storage import memberfile

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise CliError(f"{args.out}: the member files are written as .xlsx")
    if not out.parent.is_dir():
        raise CliError(f"{out.parent}: no such folder")
    async with storage_session() as (session, ctx):
        data, count = await memberfile.export_xlsx(session, ctx, args.unit, cli_lang(), args.year)
    out.write_bytes(data)
    print(f"wrote {out}: {count} members")
    return 0


def register(sub) -> None:
    member = sub.add_parser("member", help="member files (一人一档)")
    msub = member.add_subparsers(dest="member_command", required=True)
    p = msub.add_parser("export", help="the files of a unit's members as one workbook")
    p.add_argument("--unit", required=True, help="a department or branch, by path or name")
    p.add_argument("--out", required=True, help="FILE.xlsx")
    p.add_argument("--year", type=int, help="the calendar year (default: this year)")
    p.set_defaults(func=cmd_export)
