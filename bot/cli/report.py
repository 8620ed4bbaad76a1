"""`report [--period YYYY-MM] [--lang zh|en] --out FILE.xlsx`: the diagnostic report workbook."""
from __future__ import annotations

from pathlib import Path

from bot.cli import CliError
from bot.cli.common import storage_session


async def cmd_report(args) -> int:
    from storage import report

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise CliError(f"--out: {args.out} must end with .xlsx")
    if not out.parent.exists():
        raise CliError(f"--out: folder {out.parent} does not exist")
    async with storage_session() as (session, ctx):
        label, content = await report.workbook(session, ctx, args.period, args.lang)
    out.write_bytes(content)
    print(f"report for {label} written to {out}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("report", help="the month's indicators as an Excel workbook")
    p.add_argument("--period", help="YYYY-MM (default: this month)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="headers and indicator names (default zh)")
    p.add_argument("--out", required=True, help="FILE.xlsx")
    p.set_defaults(func=cmd_report)
