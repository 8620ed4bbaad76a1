"""Every user-visible text: Jinja2 templates per language (`zh/`, `en/`) and the one `render()`.

Autoescape is on (texts are sent with parse_mode HTML) and undefined names fail loudly.
"""
from __future__ import annotations

from functools import lru_cache
from html import unescape
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
ROOT = Path(__file__).parent


def language_for(code: str | None) -> str:
    """Telegram `language_code` to ours: `en*` gives English, anything else Chinese."""
    return "en" if (code or "").lower().startswith("en") else "zh"


@lru_cache(maxsize=None)
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(ROOT / lang)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["dt"] = _format_datetime
    env.filters["d"] = _format_date
    env.filters["audience"] = lambda value: _audience(lang, value)
    return env


def audience_terms(value) -> list[tuple[str, str]]:
    """The terms of a stored (normalised) audience, `unit:生产部,party` → [("unit", "生产部"), ("party", "")]."""
    return [(key, rest) for key, _, rest in (p.strip().partition(":") for p in str(value or "").split(","))
            if key]


def _audience(lang: str, value) -> Markup:
    """`{{ x|audience }}`: an audience as the reader says it ("全体", "部门：生产部"), never the stored syntax."""
    return Markup(render(lang, "audience", terms=audience_terms(value)))


def render(lang: str, name: str, /, **context) -> str:
    """Render template `name` (without `.j2`) in `lang`; whitespace at the ends is stripped."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    return environment(lang).get_template(f"{name}.j2").render(**context).strip()


def plain(lang: str, name: str, /, **context) -> str:
    """`render` for places Telegram does not read as HTML (button labels, command menus, toasts) and for text
    stored as data (a task's title or description): the template's escapes are undone, so "R&D" stays "R&D"
    there and is escaped once, by the template that finally shows it."""
    return unescape(render(lang, name, **context))


def template_names(lang: str) -> set[str]:
    return {p.stem for p in (ROOT / lang).glob("*.j2")}


def _format_datetime(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Datetimes reach templates already in the organisation's zone (see `storage.calendar.local`)."""
    return value.strftime(fmt) if value is not None else ""


def _format_date(value, fmt: str = "%Y-%m-%d") -> str:
    return value.strftime(fmt) if value is not None else ""
