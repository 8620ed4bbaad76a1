"""The KPI board: the registry of indicators, and the figures of every registered feature for a period.

A feature registers its `kpi_figures(session, ctx, unit_ids=..., start=..., end=...)` with one line,
`@kpi.indicator("<feature>", order=N)`, in its `kpi.py`; the board (/kpi) and the report show every registered
feature in that order, without this module naming any. Periods are calendar months in the organisation's
zone (`YYYY-MM`); unit scope None means the whole organisation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Awaitable, Callable

from storage import producers
from storage.context import Context
from storage.errors import Refused

Figures = Callable[..., Awaitable[dict]]
INDICATORS: dict[str, tuple[int, Figures]] = {}


def indicator(feature: str, *, order: int):
    """Register `fn` as the feature's figures; `order` places its section on the board and in the report."""
    def register(fn: Figures) -> Figures:
        INDICATORS[feature] = (order, fn)
        return fn

    return register


# A figure about people's answers (ratings, scores given) is withheld when fewer answered than this.
GROUP_FLOOR = 3
UNITS = ("%", "score", "count", "days")
# "Worse than last period by more than a set margin" (the weekly warning and the report's findings): the
# default margin per unit of measure ("%" in fractions: 0.05 is 5 points). An indicator sets its own with
# `Measure(..., margin=...)` in its feature's kpi.py; a target may set one for itself (`targets set --margin`).
MARGINS = {"%": 0.05, "score": 0.3, "count": 2.0, "days": 3.0}


@dataclass(frozen=True)
class Measure:
    """One indicator, defined once: targets, warnings, the board and the report all read it.

    `key` is `<feature>.<figure>` on the board; a "%" figure is a fraction (0..1). `answers` marks a figure
    about people's answers, withheld when `count` (a figure of the same feature) is below GROUP_FLOOR.
    """
    key: str
    zh: str
    en: str
    definition_zh: str
    definition_en: str
    unit: str
    better: str = "higher"  # or "lower"
    answers: bool = False
    count: str | None = None
    margin: float | None = None  # worse than last period by more than this warns; None: MARGINS[unit]

    @property
    def feature(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def figure(self) -> str:
        return self.key.split(".", 1)[1]

    def name(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def definition(self, lang: str) -> str:
        return self.definition_en if lang == "en" else self.definition_zh

    def value(self, board: dict) -> float | None:
        """The figure on `board` ({feature: figures}), None when missing or withheld."""
        figures = board.get(self.feature) or {}
        if self.withheld(board):
            return None
        value = figures.get(self.figure)
        return None if value is None else float(value)

    def withheld(self, board: dict) -> bool:
        if not self.answers or self.count is None:
            return False
        return int((board.get(self.feature) or {}).get(self.count) or 0) < GROUP_FLOOR

    @property
    def worse_margin(self) -> float:
        return MARGINS[self.unit] if self.margin is None else self.margin

    def worsened(self, now: float, before: float) -> float:
        """How much worse `now` is than `before` (negative: better)."""
        return before - now if self.better == "higher" else now - before

    def better_than(self, a: float, b: float) -> bool:
        """`a` at least as good as `b`."""
        return a >= b - 1e-9 if self.better == "higher" else a <= b + 1e-9


MEASURES: dict[str, Measure] = {}


def measures(*items: Measure) -> tuple[Measure, ...]:
    """Register a feature's indicators (one call in its kpi.py, beside its `@indicator`)."""
    for m in items:
        assert m.unit in UNITS and m.better in ("higher", "lower"), m.key
        MEASURES[m.key] = m
    return items


def catalogue() -> list[Measure]:
    """Every registered indicator, in board order (then as each feature lists them)."""
    order = {name: i for i, (name, _) in enumerate(features())}
    return sorted(MEASURES.values(), key=lambda m: order.get(m.feature, len(order)))


def measure(key: str) -> Measure:
    """The indicator with code `key` or that name (责任清单按时完成率: a secretary knows no codes), or a refusal
    listing them."""
    known = catalogue()
    text = (key or "").strip()
    if text in MEASURES:
        return MEASURES[text]
    named = [m for m in known if text in (m.zh, m.en) or text.lower() == m.en.lower()]
    if not named:
        raise Refused("kpi_unknown_indicator", key=key, known=[{"key": m.key, "zh": m.zh, "en": m.en} for m in known])
    return named[0]


def features() -> list[tuple[str, Figures]]:
    """(feature, figures) of every registered feature, in board order."""
    producers.load_features()  # the features register themselves when their package is imported
    return [(name, fn) for name, (_, fn) in sorted(INDICATORS.items(), key=lambda item: item[1][0])]


def period_bounds(text: str | None, ctx: Context) -> tuple[str, datetime, datetime]:
    """(label, start, end) of the month `YYYY-MM`, or of the current month when `text` is empty."""
    if text:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise Refused("kpi_bad_period", value=text)
        year, month = int(m.group(1)), int(m.group(2))
    else:
        today = ctx.local_now().date()
        year, month = today.year, today.month
    start_day = date(year, month, 1)
    end_day = date(year + (month == 12), month % 12 + 1, 1)
    start = datetime.combine(start_day, time(0), tzinfo=ctx.tz)
    end = datetime.combine(end_day, time(0), tzinfo=ctx.tz)
    return f"{year:04d}-{month:02d}", start, end


def previous_period(label: str, months: int = 1) -> str:
    """The month `months` before `YYYY-MM`."""
    year, month = (int(x) for x in label.split("-"))
    index = year * 12 + month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


async def collect(session, ctx: Context, *, unit_ids: set[int] | None, start: datetime, end: datetime) -> dict:
    """{feature: figures} for every registered feature."""
    return {feature: await figures(session, ctx, unit_ids=unit_ids, start=start, end=end)
            for feature, figures in features()}
