"""`surveys publish FILE --title T --audience A [--closes TIME] [--opens TIME] [--named] [--min-group-size N]
[--tag satisfaction] [--reminders 2] [--reminder-gap-hours 24] [--last-reminder-days-before 1]`;
FILE may also be `builtin:satisfaction`, `builtin:enps` or `builtin:branch_evaluation` (publish that one once
per party: `--audience party`, `--audience role:representative`, `--audience role:committee`).

The file and every option are checked before the database is touched; a refusal changes nothing.
"""
from __future__ import annotations

from datetime import time

from bot import config
from bot.cli import CliError, cli_lang
from bot.cli.common import read_file, storage_session


def _questions(spec: str):
    from storage.surveys import BUILTINS, check

    if spec.startswith("builtin:"):
        name = spec.split(":", 1)[1]
        if name not in BUILTINS:
            raise CliError(f"{spec}: unknown built-in survey (use {', '.join('builtin:' + b for b in BUILTINS)})")
        return name, None, None  # built in: its questions are made in the session (some list the branches)
    data, filename = read_file(spec)
    return None, None, check(data, filename, config.load().upload_limits)


async def cmd_publish(args) -> int:
    from storage import calendar, surveys

    builtin_name, default_tag, questions = _questions(args.file)
    if builtin_name is None and not args.title:
        raise CliError("--title is required")
    if args.min_group_size < surveys.MIN_GROUP_FLOOR:
        raise CliError(f"--min-group-size must be at least {surveys.MIN_GROUP_FLOOR}")
    async with storage_session() as (session, ctx):
        default_title = None
        if builtin_name is not None:
            default_title, default_tag, questions = await surveys.questionnaire(session, builtin_name, cli_lang())
        title = args.title or default_title
        closes = _moment(ctx, args.closes, "--closes", time(23, 59))
        opens = _moment(ctx, args.opens, "--opens", time(9, 0))
        survey = await surveys.publish(session, ctx, title=title, intro=args.intro or "", audience=args.audience,
                                       questions=questions, closes_at=closes, opens_at=opens,
                                       anonymous=not args.named, min_group_size=args.min_group_size,
                                       tag=args.tag or default_tag,
                                       results_to_respondents=args.share_results, reminders=args.reminders,
                                       reminder_gap_hours=args.reminder_gap_hours,
                                       last_reminder_days_before=args.last_reminder_days_before)
        _, asked = await surveys.participation(session, survey.id)
        held = calendar.delivery_note(survey.opens_at, ctx)  # invitations wait for the quiet hours to end
        print(f"survey {survey.id}: {len(questions)} questions, audience {survey.audience}, "
              f"{'anonymous' if survey.anonymous else 'named'}, "
              f"opens {survey.opens_at.astimezone(ctx.tz):%Y-%m-%d %H:%M}, "
              + (f"invitations go out at {held:%Y-%m-%d %H:%M} (after quiet hours), " if held else "")
              + f"closes {survey.closes_at.astimezone(ctx.tz):%Y-%m-%d %H:%M}"
              + (f", {asked} members asked" if survey.opened_at else ""))
    return 0


def _moment(ctx, value, option, default):
    from storage import surveys

    if not value:
        return None
    moment = surveys.parse_close(ctx, value, default)
    if moment is None:
        raise CliError(f"{option}: {value!r} is not a date (for example 2026-12-10, '2026-12-10 18:00' or 2026-12-10T10:00+00:00)")
    return moment


def register(sub) -> None:
    group = sub.add_parser("surveys", help="quick surveys")
    gsub = group.add_subparsers(dest="surveys_command", required=True)
    p = gsub.add_parser("publish", help="publish a survey from .csv/.xlsx (kind, question, options, required)")
    p.add_argument("file", help=".csv/.xlsx questionnaire, or builtin:satisfaction / builtin:enps / builtin:branch_evaluation")
    p.add_argument("--title", help="the survey's title (built-ins have one)")
    p.add_argument("--audience", required=True, help="all, unit:NAME, branch:NAME, party, role:ROLE (or 全体, 部门:…, 支部:…, 党员, 角色:…), comma-separated")
    p.add_argument("--closes", help="closing date or date and time (local), or ISO 8601 with an offset; default a week after opening")
    p.add_argument("--opens", help="opening date and time (local), or ISO 8601 with an offset; default now")
    p.add_argument("--intro", help="a line shown with the invitation")
    p.add_argument("--named", action="store_true", help="not anonymous: answers are kept per person")
    p.add_argument("--min-group-size", type=int, default=5, help="results hidden below this many (min 3)")
    p.add_argument("--tag", help="for example satisfaction (counted in the satisfaction KPI)")
    p.add_argument("--share-results", action="store_true", help="send the results to respondents after close")
    p.add_argument("--reminders", type=int, default=2, help="at most this many reminders to non-respondents")
    p.add_argument("--reminder-gap-hours", type=int, default=24, help="at least this many hours between reminders")
    p.add_argument("--last-reminder-days-before", type=int, default=1,
                   help="the last reminder this many days before the closing day (10:00 local)")
    p.set_defaults(func=cmd_publish)
