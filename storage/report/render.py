"""The report's outputs from one gathering: the workbook's bytes, the page's HTML, the board's pictures."""
from __future__ import annotations

from storage.context import Context
from storage.report import charts, page
from storage.report import xlsx
from storage.report.content import Report, gather


async def workbook(session, ctx: Context, period: str | None, lang: str = "zh",
                   scope: set[int] | None = None) -> tuple[str, bytes]:
    """(period, xlsx bytes) of the report for `scope` (None: the whole organisation)."""
    r = await gather(session, ctx, period, lang, scope)
    return r.period, xlsx.build(r)


async def html(session, ctx: Context, period: str | None, lang: str = "zh",
               scope: set[int] | None = None) -> tuple[str, str]:
    """(period, HTML text) of the same report as one printable page."""
    r = await gather(session, ctx, period, lang, scope)
    return r.period, page.build(r)


async def board_charts(session, ctx: Context, period: str | None, lang: str,
                       scope: set[int] | None) -> tuple[Report, bytes, bytes]:
    """The /kpi pictures: the trend of the last six periods and the units side by side."""
    r = await gather(session, ctx, period, lang, scope, lists=False)
    return r, charts.trend_png(r), charts.units_png(r)


def xlsx_bytes(r: Report, trend: bytes | None = None, units: bytes | None = None) -> bytes:
    """The workbook of a report already gathered (its charts drawn unless given)."""
    return xlsx.build(r, trend, units)


def page_html(r: Report, trend: bytes | None = None, units: bytes | None = None) -> str:
    """The HTML page of a report already gathered (its charts drawn unless given)."""
    return page.build(r, trend, units)
