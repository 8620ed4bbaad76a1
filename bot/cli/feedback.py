"""`feedback config [--reset] [--categories K,K] [--label KEY[:LANG]=NAME] [--route CATEGORY=UNIT,UNIT]
[--daily-limit N] [--reply-deadline-days N] [--retention-days N] [--min-unit-size N] [--pdca-optional K,K]
[--office-name NAME] [--office-name-en NAME]`: show or change how feedback works.

Without options it prints the settings. With options, every value is read first, then the whole new
configuration is checked against the organisation (units must exist) in one transaction; a refusal
changes nothing. An empty value puts an entry back to its default: `--route safety=` sends that category
to the admins again, `--label canteen:en=` drops a name, `--office-name ""` restores the default name.
"""
from __future__ import annotations

from bot.cli import CliError
from bot.cli.common import storage_session

LANGS = ("zh", "en")


def _keys(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [k.strip() for k in text.split(",") if k.strip()]


def _pairs(values: list[str] | None, option: str) -> list[tuple[str, str]]:
    """`KEY=VALUE` items, each KEY once (a repeated key is a mistake, not a silent overwrite)."""
    pairs, seen = [], set()
    for raw in values or []:
        key, sep, value = raw.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CliError(f"{option} {raw!r}: expected KEY=VALUE")
        if key in seen:
            raise CliError(f"{option} {key}: given twice")
        seen.add(key)
        pairs.append((key, value.strip()))
    return pairs


def _labels(values: list[str] | None) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for key, name in _pairs(values, "--label"):
        category, _, lang = key.partition(":")
        lang = lang or "zh"
        if lang not in LANGS:
            raise CliError(f"--label {key}: the language must be zh or en")
        labels.setdefault(category.strip(), {})[lang] = name
    return labels


def _routes(values: list[str] | None) -> dict[str, list[str]]:
    return {key: _keys(units) or [] for key, units in _pairs(values, "--route")}


def describe(cfg) -> list[str]:
    """The settings as an operator reads them (names in both languages, routing, limits)."""
    from storage import feedback

    def names(key: str) -> str:
        return f"{key} ({feedback.category_name(cfg, 'zh', key)} / {feedback.category_name(cfg, 'en', key)})"

    lines = ["categories:"]
    for key in cfg.categories:
        route = ", ".join(cfg.routing.get(key) or []) or "the admins"
        optional = "; root cause and measure optional" if key in cfg.pdca_optional else ""
        lines.append(f"  {names(key)} -> {route}{optional}")
    lines += [f"daily limit: {cfg.daily_limit} tickets per member",
              f"reply deadline: {cfg.reply_deadline_days} working days, then escalated to the admins",
              f"reply routes kept: {cfg.route_retention_days} days after a ticket closes",
              f"writer's unit shown from: {cfg.min_unit_size} members",
              f"office name: {feedback.office_name(cfg, 'zh')} / {feedback.office_name(cfg, 'en')}"]
    return lines


async def cmd_config(args) -> int:
    from storage import feedback

    office = {lang: value for lang, value in (("zh", args.office_name), ("en", args.office_name_en))
              if value is not None}
    changes = dict(categories=_keys(args.categories), labels=_labels(args.label), routing=_routes(args.route),
                   pdca_optional=_keys(args.pdca_optional), office_name=office)
    numbers = dict(daily_limit=args.daily_limit, reply_deadline_days=args.reply_deadline_days,
                   route_retention_days=args.retention_days, min_unit_size=args.min_unit_size)
    given = [changes["categories"], changes["pdca_optional"], *numbers.values()]
    changing = args.reset or bool(changes["labels"] or changes["routing"] or office) or \
        any(v is not None for v in given)
    async with storage_session() as (session, ctx):
        if changing:
            cfg = await feedback.change_config(session, ctx, reset=args.reset, **changes, **numbers)
            print("feedback settings saved")
        else:
            cfg = await feedback.load_config(session)
    print("\n".join(describe(cfg)))
    return 0


def register(sub) -> None:
    group = sub.add_parser("feedback", help="anonymous feedback (意见反馈)")
    gsub = group.add_subparsers(dest="feedback_command", required=True)
    p = gsub.add_parser("config", help="show or change the feedback settings (no options: show them)")
    p.add_argument("--reset", action="store_true", help="start from the defaults (then apply the other options)")
    p.add_argument("--categories", help="the category keys in order, comma-separated "
                                        "(built in: work,hardship,dispute,safety,suggestion,other)")
    p.add_argument("--label", action="append", metavar="KEY[:LANG]=NAME",
                   help="a category's name (LANG zh by default, or en); repeatable; empty NAME drops it")
    p.add_argument("--route", action="append", metavar="CATEGORY=UNIT[,UNIT]",
                   help="whose secretaries get the category's tickets; repeatable; empty: the admins")
    p.add_argument("--daily-limit", type=int, help="tickets a member may open per day (default 5)")
    p.add_argument("--reply-deadline-days", type=int,
                   help="working days for the first reply before escalation to the admins (default 3)")
    p.add_argument("--retention-days", type=int,
                   help="days a reply route is kept after its ticket closes (default 30)")
    p.add_argument("--min-unit-size", type=int,
                   help="an anonymous writer's unit is shown from this many members (default and minimum 5)")
    p.add_argument("--pdca-optional", metavar="K,K",
                   help="categories closed without root cause and measure (default suggestion; \"\" for none)")
    p.add_argument("--office-name", help="the name replies are signed with (Chinese; \"\" for the default)")
    p.add_argument("--office-name-en", help="the name replies are signed with, in English")
    p.set_defaults(func=cmd_config)
