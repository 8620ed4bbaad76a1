"""`meetings add --branch B --kind K --at TIME --place P --topic T [--host NO|NAME]`, `meetings import FILE`,
`meetings export --branch B --year Y --out FILE.xlsx`, `meetings attendance --meeting ID --member NO|NAME --status
present|leave|absent` (an operator's correction, audited), and `orglife config [--kind K --period
month|quarter|月|季度 --required N --audience A|default] [--minutes-days N] [--makeup-days N]` (without --kind:
the rules as they stand). --host and --member take an employee number or a name that fits one person only."""
from __future__ import annotations

from pathlib import Path

from bot import config
from bot.cli import CliError
from bot.cli.common import read_file, storage_session


async def cmd_add(args) -> int:
    from storage import calendar, orglife

    spec = orglife.Plan(branch=args.branch, kind=args.kind, at=args.at, place=args.place, topic=args.topic,
                        host_no=args.host)
    async with storage_session() as (session, ctx):
        meeting, invited = await orglife.plan(session, ctx, spec, actor=None)
        print(f"meeting {meeting.id}: {meeting.kind} {calendar.local(meeting.starts_at, ctx):%Y-%m-%d %H:%M} "
              f"{meeting.place}; {invited} invited")
    return 0


async def cmd_import(args) -> int:
    from storage import calendar, orglife

    data, name = read_file(args.file)
    rows = orglife.read_plan(data, name, config.load().upload_limits)  # read before a transaction is opened
    async with storage_session() as (session, ctx):
        made = await orglife.import_plan(session, ctx, rows)
        for meeting, invited in made:
            print(f"meeting {meeting.id}: {meeting.kind} {calendar.local(meeting.starts_at, ctx):%Y-%m-%d %H:%M}; "
                  f"{invited} invited")
    print(f"meetings: {len(made)} planned")
    return 0


async def cmd_export(args) -> int:
    from storage import orglife

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise CliError(f"{args.out}: the ledger is written as .xlsx")
    if not out.parent.is_dir():
        raise CliError(f"{out.parent}: no such folder")
    async with storage_session() as (session, ctx):
        data = await orglife.ledger(session, ctx, args.branch, args.year)
    out.write_bytes(data)
    print(f"wrote {out}")
    return 0


async def cmd_attendance(args) -> int:
    from storage import orglife

    async with storage_session() as (session, ctx):
        _, member = await orglife.correct(session, ctx, None, args.meeting, args.member, args.status)
        t = await orglife.tally(session, args.meeting)
        now = await orglife.status_of(session, args.meeting, member.id)
        print(f"meeting {args.meeting}: {member.employee_no} {member.name} now {now}; "
              f"{t.present} present, {t.leave} on leave, {t.absent} absent of {t.invited}")
    return 0


async def cmd_config(args) -> int:
    from storage import orglife

    if args.kind is None and (args.period or args.required is not None or args.audience):
        raise CliError("--period, --required and --audience need --kind")
    async with storage_session() as (session, ctx):
        if args.minutes_days is not None:
            await orglife.set_minutes_days(session, args.minutes_days)
        if args.makeup_days is not None:
            await orglife.set_makeup_days(session, args.makeup_days)
        if args.kind is not None:
            await orglife.configure(session, ctx, args.kind, period=args.period, required=args.required,
                                    audience=args.audience)
        for rule in await orglife.all_rules(session):
            print(f"{rule.kind}: {rule.required} per {rule.period}; audience "
                  f"{rule.audience or ('branch committee' if rule.kind == '支委会' else 'branch Party members')}")
        print(f"minutes due {await orglife.minutes_days(session)} days after a meeting")
        print(f"make-up study due {await orglife.makeup_days(session)} days after it is assigned")
    return 0


def register(sub) -> None:
    meetings = sub.add_parser("meetings", help="organisational life: meetings (三会一课, 主题党日)")
    msub = meetings.add_subparsers(dest="meetings_command", required=True)
    p = msub.add_parser("add", help="plan a meeting and invite its audience")
    p.add_argument("--branch", required=True, help="the Party branch, by path or name")
    p.add_argument("--kind", required=True, help="支委会, 党小组会, 党员大会, 党课 or 主题党日")
    p.add_argument("--at", required=True, help="YYYY-MM-DD HH:MM local, or ISO 8601 with an offset")
    p.add_argument("--place", required=True, help="the place or the online link")
    p.add_argument("--topic", required=True)
    p.add_argument("--host", help="the host's employee number or name (a name fitting several is refused)")
    p.set_defaults(func=cmd_add)
    p = msub.add_parser("import", help="plan the meetings of a file (a quarter's plan), checked whole first")
    p.add_argument("file", help=".csv or .xlsx: 支部, 会议类型, 时间, 地点, 主题[, 主持人工号]")
    p.set_defaults(func=cmd_import)
    p = msub.add_parser("export", help="the meeting ledger (组织生活台账) of a branch for a year")
    p.add_argument("--branch", required=True)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True, help="FILE.xlsx")
    p.set_defaults(func=cmd_export)
    p = msub.add_parser("attendance", help="correct one invitee's attendance after the meeting has started")
    p.add_argument("--meeting", type=int, required=True, help="the meeting's number (printed by meetings add)")
    p.add_argument("--member", required=True, help="the invitee's employee number, or a name unique among the "
                                                   "invitees")
    p.add_argument("--status", required=True, help="present, leave or absent (出席, 请假, 缺席)")
    p.set_defaults(func=cmd_attendance)

    group = sub.add_parser("orglife", help="organisational life: the kinds' rhythm and audience")
    osub = group.add_subparsers(dest="orglife_command", required=True)
    p = osub.add_parser("config", help="show or change a kind's required rhythm and audience")
    p.add_argument("--kind", help="支委会, 党小组会, 党员大会, 党课 or 主题党日")
    p.add_argument("--period", help="month or quarter (月 or 季度)")
    p.add_argument("--required", type=int, help="meetings required per period (0: not watched)")
    p.add_argument("--audience", help="an audience (all, unit:X, branch:X, party, role:R) or `default`")
    p.add_argument("--minutes-days", type=int, help="days after a meeting its minutes are due (default 3)")
    p.add_argument("--makeup-days", type=int, help="days a make-up lesson (补学) is due after it is assigned "
                                                   "(default 14)")
    p.set_defaults(func=cmd_config)
