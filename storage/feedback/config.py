"""What an organisation may change about feedback: categories and their names, category -> units routing,
the daily limit, the reply deadline, route retention, the office's name. Kept as JSON in the settings table
(only what differs from the defaults, the column holds 1000 characters), checked whole before it is stored.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields, replace

from sqlalchemy.ext.asyncio import AsyncSession

from messages import LANGUAGES, render
from storage import audit, settings, units
from storage.context import Context
from storage.errors import Refused

DEFAULT_CATEGORIES = ("work", "hardship", "dispute", "safety", "suggestion", "other")
SETTING_KEY = "feedback.config"
CONFIG_MAX = 1000
MAX_CATEGORIES = 12
LABEL_MAX = 32        # a category name is a button text
OFFICE_MAX = 64
# Inclusive bounds of the numbers: a typo must not switch a rule off or make it absurd. Anonymous units
# are shown only from 5 members (the design's min_group_size): raising it is allowed, lowering it is not.
RANGES = {"daily_limit": (1, 100), "route_retention_days": (1, 3650), "reply_deadline_days": (1, 30),
          "min_unit_size": (5, 100000), "max_text": (100, 20000)}


@dataclass
class FeedbackConfig:
    categories: list[str] = field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    labels: dict[str, dict[str, str]] = field(default_factory=dict)   # category -> {lang: name}
    routing: dict[str, list[str]] = field(default_factory=dict)        # category -> unit names; none: the admins
    daily_limit: int = 5
    route_retention_days: int = 30
    reply_deadline_days: int = 3
    min_unit_size: int = 10
    pdca_optional: list[str] = field(default_factory=lambda: ["suggestion"])
    office_name: dict[str, str] = field(default_factory=dict)          # {lang: name}; default: a template
    max_text: int = 20000


def _refuse(reason: str, value="", **params) -> Refused:
    return Refused("feedback_config_invalid", reason=reason, value=str(value), **params)


async def load_config(session: AsyncSession) -> FeedbackConfig:
    raw = await settings.get(session, SETTING_KEY)
    if not raw:
        return FeedbackConfig()
    known = {f.name for f in fields(FeedbackConfig)}
    return FeedbackConfig(**{k: v for k, v in json.loads(raw).items() if k in known})


def _single_line(text: str, limit: int) -> bool:
    return 0 < len(text) <= limit and text == text.strip() and "\n" not in text and "\r" not in text


async def check_config(session: AsyncSession, cfg: FeedbackConfig) -> None:
    """Refuse a configuration that would break a rule or a screen; every reason names what is wrong."""
    if not cfg.categories or len(cfg.categories) > MAX_CATEGORIES:
        raise _refuse("categories_count", len(cfg.categories), max=MAX_CATEGORIES)
    seen: set[str] = set()
    for key in cfg.categories:  # keys travel in callback data (64 bytes) and in the ticket row
        if not isinstance(key, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", key):
            raise _refuse("category_key", key)
        if key in seen:
            raise _refuse("category_duplicate", key)
        seen.add(key)
    for key, names in cfg.labels.items():
        if key not in seen:
            raise _refuse("unknown_category", key)
        for lang, name in names.items():
            if lang not in LANGUAGES:
                raise _refuse("language", lang)
            if not isinstance(name, str) or not _single_line(name, LABEL_MAX):
                raise _refuse("label", name, max=LABEL_MAX)
    for key in cfg.categories:  # a new category needs a name people can read, at least in Chinese
        if key not in DEFAULT_CATEGORIES and not (cfg.labels.get(key) or {}).get("zh"):
            raise _refuse("label_missing", key)
    for key, names in cfg.routing.items():
        if key not in seen:
            raise _refuse("unknown_category", key)
        if len(set(names)) != len(names):
            raise _refuse("route_duplicate", key)
        for name in names:
            if await units.find_any(session, name) is None:
                raise Refused("audience_unknown_unit", kind="unit", name=name)
    for key in cfg.pdca_optional:
        if key not in seen:
            raise _refuse("unknown_category", key)
    for lang, name in cfg.office_name.items():
        if lang not in LANGUAGES:
            raise _refuse("language", lang)
        if not isinstance(name, str) or not _single_line(name, OFFICE_MAX):
            raise _refuse("office_name", name, max=OFFICE_MAX)
    for name, (low, high) in RANGES.items():
        value = getattr(cfg, name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _refuse("range", value, field=name, min=low, max=high)


def _stored(cfg: FeedbackConfig) -> str:
    defaults = asdict(FeedbackConfig())
    changed = {k: v for k, v in asdict(cfg).items() if v != defaults[k]}
    return json.dumps(changed, ensure_ascii=False, separators=(",", ":"))


async def save_config(session: AsyncSession, cfg: FeedbackConfig) -> None:
    """Store the configuration after checking all of it: a refusal stores nothing."""
    await check_config(session, cfg)
    value = _stored(cfg)
    if len(value) > CONFIG_MAX:
        raise _refuse("too_long", len(value), max=CONFIG_MAX)
    await settings.put(session, SETTING_KEY, value)


async def change_config(session: AsyncSession, ctx: Context, *, reset: bool = False,
                        categories: list[str] | None = None, labels: dict[str, dict[str, str]] | None = None,
                        routing: dict[str, list[str]] | None = None, pdca_optional: list[str] | None = None,
                        office_name: dict[str, str] | None = None, **numbers: int | None) -> FeedbackConfig:
    """Apply an operator's changes to the stored configuration (or to the defaults with `reset`).

    `categories` replaces the list, and what referred to a dropped category goes with it; `labels`,
    `routing` and `office_name` change only the keys given (an empty name or unit list removes the entry:
    back to the built-in name, to the admins, to the default office name); `numbers` are the fields of
    RANGES. The result is checked whole, then stored and audited (no actor: it came from the console).
    """
    cfg = FeedbackConfig() if reset else await load_config(session)
    unknown = set(numbers) - set(RANGES)
    if unknown:
        raise _refuse("unknown_setting", ", ".join(sorted(unknown)))
    if categories is not None:
        keep = set(categories)
        cfg = replace(cfg, categories=list(categories),
                      labels={k: v for k, v in cfg.labels.items() if k in keep},
                      routing={k: v for k, v in cfg.routing.items() if k in keep},
                      pdca_optional=[k for k in cfg.pdca_optional if k in keep])
    merged_labels = {k: dict(v) for k, v in cfg.labels.items()}
    for key, names in (labels or {}).items():
        entry = merged_labels.setdefault(key, {})
        for lang, name in names.items():
            if name:
                entry[lang] = name
            else:
                entry.pop(lang, None)
    merged_routing = dict(cfg.routing)
    for key, names in (routing or {}).items():
        if names:
            merged_routing[key] = list(names)
        else:
            merged_routing.pop(key, None)
    merged_office = dict(cfg.office_name)
    for lang, name in (office_name or {}).items():
        if name:
            merged_office[lang] = name
        else:
            merged_office.pop(lang, None)
    cfg = replace(cfg, labels={k: v for k, v in merged_labels.items() if v}, routing=merged_routing,
                  office_name=merged_office,
                  pdca_optional=list(pdca_optional) if pdca_optional is not None else cfg.pdca_optional,
                  **{k: v for k, v in numbers.items() if v is not None})
    await save_config(session, cfg)
    audit.record(session, ctx, "feedback.config_changed", "settings", SETTING_KEY)
    return cfg


# --- names ---------------------------------------------------------------------------------------------

def category_name(cfg: FeedbackConfig, lang: str, key: str) -> str:
    """Plain text (escaped where a template uses it): the configured name in this language, else the
    built-in one, else (a new category named in Chinese only) the Chinese name."""
    names = cfg.labels.get(key) or {}
    if names.get(lang):
        return names[lang]
    if key in DEFAULT_CATEGORIES or not names.get("zh"):
        return render(lang, "feedback_category", key=key, label=key)
    return names["zh"]


def office_name(cfg: FeedbackConfig, lang: str) -> str:
    return cfg.office_name.get(lang) or cfg.office_name.get("zh") or render(lang, "feedback_office_default")


def status_name(lang: str, status: str) -> str:
    return render(lang, "feedback_status", status=status)
