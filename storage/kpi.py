"""The KPI board: each feature's `kpi_figures(session, ctx, unit_ids=..., start=..., end=...)`, for a period.

Periods are calendar months in the organisation's zone (`YYYY-MM`); unit scope None means the whole
organisation.
"""
from __future__ import annotations

import importlib
import re
from datetime import date, datetime, time

from storage.context import Context
from storage.errors import Refused

FEATURES = ("tasks", "lessons", "surveys", "feedback", "reception")


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
    """{feature: figures} for every feature that provides figures."""
    board: dict[str, dict] = {}
    for feature in FEATURES:
        try:
            module = importlib.import_module(f"storage.{feature}")
        except ModuleNotFoundError:
            continue
        figures = getattr(module, "kpi_figures", None)
        if figures is not None:
            board[feature] = await figures(session, ctx, unit_ids=unit_ids, start=start, end=end)
    return board
