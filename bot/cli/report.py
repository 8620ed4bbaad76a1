"""`report [--period YYYY-MM] [--format xlsx|html] [--lang zh|en] --out FILE`: the diagnostic report, as a
workbook or as one printable HTML page."""
from __future__ import annotations

from pathlib import Path

from bot.cli import CliError
from bot.cli.common import storage_session


async def cmd_report(args) -> int:
    from storage import report

    out = Path(args.out)
    if out.suffix.lower() != f".{args.format}" and not (args.format == "html" and out.suffix.lower() == ".htm"):
        raise CliError(f"--out: {args.out} must end with .{args.format}")
    if not out.parent.exists():
        raise CliError(f"--out: folder {out.parent} does not exist")
    async with storage_session() as (session, ctx):
        if args.format == "html":
            label, text = await report.html(session, ctx, args.period, args.lang)
            content = text.encode("utf-8")
        else:
            label, content = await report.workbook(session, ctx, args.period, args.lang)
    out.write_bytes(content)
    print(f"report for {label} written to {out}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("report", help="the month's diagnostic report as an Excel workbook or an HTML page")
    p.add_argument("--period", help="YYYY-MM (default: this month)")
    p.add_argument("--format", choices=("xlsx", "html"), default="xlsx", help="xlsx (default) or html")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="headers and indicator names (default zh)")
    p.add_argument("--out", required=True, help="FILE.xlsx or FILE.html")
    p.set_defaults(func=cmd_report)
