"""`lessons publish FILE.md --audience A [--at TIME] [--due DATE] [--min-read SECONDS] [--remind-after DAYS]
[--remind-before-due DAYS] [--pass-percent P]`.

The file and every option are checked before anything is written; a bad file is refused with line numbers.
"""
from __future__ import annotations

from bot.cli.common import read_file, storage_session


async def cmd_publish(args) -> int:
    from storage import calendar, lessons
    from storage.lessons import decode, parse

    data, _ = read_file(args.file)
    parsed = parse(decode(data))  # refuses before touching the database
    async with storage_session() as (session, ctx):
        publish_at = lessons.parse_when(args.at, ctx) if args.at else None
        due_on = lessons.parse_due(args.due) if args.due else None
        lesson = await lessons.create(session, ctx, parsed, audience=args.audience, publish_at=publish_at,
                                      due_on=due_on, min_read=args.min_read,
                                      remind_after_days=args.remind_after,
                                      remind_before_due_days=args.remind_before_due,
                                      pass_percent=args.pass_percent)
        size = await lessons.audience_size(session, lesson.audience)
        at = calendar.local(lesson.publish_at, ctx).strftime("%Y-%m-%d %H:%M")
        held = calendar.delivery_note(lesson.publish_at, ctx)
        if held is not None:
            at += f" (in quiet hours: members receive it at {held:%Y-%m-%d %H:%M})"
    print(f"lesson {lesson.id} \"{lesson.title}\": {size} members ({lesson.audience}), publishes at {at}"
          f"{', due ' + lesson.due_on.isoformat() if lesson.due_on else ''}, "
          f"{len(lesson.quiz)} quiz question(s) (pass {lesson.pass_percent}%), "
          f"minimum reading time {lesson.min_read_seconds} s")
    return 0


def register(sub) -> None:
    lessons = sub.add_parser("lessons", help="micro-lessons (微党课)")
    lsub = lessons.add_subparsers(dest="lessons_command", required=True)
    p = lsub.add_parser("publish", help="publish a Markdown lesson to an audience (the bot sends it at --at)")
    p.add_argument("file", help="the lesson: '# Title', the body, an optional '## Quiz' section")
    p.add_argument("--audience", required=True, help="all, unit:<name>, branch:<name>, party, role:<role> (or 全体, 部门:…, 支部:…, 党员, 角色:…); commas")
    p.add_argument("--at", help="publish time, e.g. '2026-12-05 09:00' (a date alone means 09:00) or 2026-12-05T01:00+00:00; default now")
    p.add_argument("--due", help="due date, e.g. 2026-12-10")
    p.add_argument("--min-read", type=int, dest="min_read",
                   help="seconds between delivery and a valid 'learned' (default: from the length)")
    p.add_argument("--remind-after", type=int, default=2, dest="remind_after",
                   help="remind those who have not learned after this many days (0: never; default 2)")
    p.add_argument("--remind-before-due", type=int, default=1, dest="remind_before_due",
                   help="remind this many days before the due date (0: never; default 1)")
    p.add_argument("--pass-percent", type=int, default=60, dest="pass_percent",
                   help="quiz score (percent) that marks the lesson learned (default 60)")
    p.set_defaults(func=cmd_publish)
