"""The KPI board: the registry of indicators, and the figures of every registered feature for a period.

A feature registers its `kpi_figures(session, ctx, unit_ids=..., start=..., end=...)` with one line,
`@kpi.indicator("<feature>", order=N)`, in its `kpi.py`; the board (/kpi) and the report show every registered
feature in that order, without this module naming any. Periods are calendar months in the organisation's
zone (`YYYY-MM`); unit scope None means the whole organisation.
"""
from __future__ import annotations

import re
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


async def collect(session, ctx: Context, *, unit_ids: set[int] | None, start: datetime, end: datetime) -> dict:
    """{feature: figures} for every registered feature."""
    return {feature: await figures(session, ctx, unit_ids=unit_ids, start=start, end=end)
            for feature, figures in features()}
