"""The monthly diagnostic report (运行诊断报告) as an Excel workbook a secretary can read.

Sheets: the summary (each indicator's actual, target, where it should be, gap, previous period and trend,
then the findings in words, ranked; `storage/targets/findings.py` holds their rules), the indicators per
unit, the definitions, and an appendix of every figure of every feature. Names and headers in the reader's
language (zh by default), numbers formatted as what they are, header rows frozen, column widths set; written
through `storage.exports`, which keeps people's text as text.
"""
from __future__ import annotations

from datetime import timedelta

from openpyxl.utils import get_column_letter
from sqlalchemy import select

from messages import render
from storage import exports, kpi, targets, units
from storage.context import Context
from storage.models.org import Unit

FORMATS = {"%": "0.0%", "score": "0.0", "count": "0", "days": "0.0"}


def _flatten(board: dict) -> dict[str, object]:
    """One column per figure; a figure made of parts (first replies by working days) gets one per part."""
    flat: dict[str, object] = {}
    for feature, figures in board.items():
        for key, value in figures.items():
            if isinstance(value, dict):
                flat.update({f"{feature}.{key}.{part}": v for part, v in value.items()})
            else:
                flat[f"{feature}.{key}"] = value
    return flat


def _put(sheet: exports.Sheet, column: int, measure: kpi.Measure, value, board: dict | None = None,
         lang: str = "zh") -> None:
    """Write a figure into the last row's `column` (1-based), formatted; withheld figures say so."""
    row = sheet.ws.max_row
    if board is not None and measure.withheld(board):
        sheet.ws.cell(row=row, column=column, value=render(lang, "report_label", name="withheld"))
        return
    if value is None:
        return
    sheet.ws.cell(row=row, column=column, value=value)
    sheet.number_format(row, column, FORMATS[measure.unit])


def _trend(measure: kpi.Measure, now, before) -> str:
    if now is None or before is None:
        return "none"
    if abs(now - before) < 1e-9:
        return "flat"
    return "up" if now > before else "down"


def _widths(sheet: exports.Sheet, widths: list[float]) -> None:
    sheet.widths({get_column_letter(i): w for i, w in enumerate(widths, start=1)})


async def workbook(session, ctx: Context, period: str | None, lang: str = "zh") -> tuple[str, bytes]:
    lang = "en" if lang == "en" else "zh"

    def label(name: str) -> str:
        return render(lang, "report_label", name=name)

    period_label, start, end = kpi.period_bounds(period, ctx)
    _, prev_start, prev_end = kpi.period_bounds(kpi.previous_period(period_label), ctx)
    measures = kpi.catalogue()
    board = await kpi.collect(session, ctx, unit_ids=None, start=start, end=end)
    before = await kpi.collect(session, ctx, unit_ids=None, start=prev_start, end=prev_end)
    day = min(end.astimezone(ctx.tz).date() - timedelta(days=1), ctx.local_now().date())
    set_targets = {(t.key, t.unit_id): t for t in await targets.targets_in(session, None)}

    unit_rows = []
    for unit in (await session.execute(select(Unit).order_by(Unit.kind, Unit.path))).scalars():
        scope = await units.subtree_ids(session, {unit.id})
        unit_rows.append((unit, await kpi.collect(session, ctx, unit_ids=scope, start=start, end=end),
                          await kpi.collect(session, ctx, unit_ids=scope, start=prev_start, end=prev_end)))

    def standing(measure, unit_id, scope_name, value):
        target = set_targets.get((measure.key, unit_id))
        return None if target is None else targets.standing(target, measure, scope_name, value, day)

    found: list[targets.Finding] = []
    for m in measures:
        found += targets.for_scope(label("organisation"), m, m.value(board), m.value(before),
                                   standing(m, None, None, m.value(board)), lang)
        for unit, now, then in unit_rows:
            found += targets.for_scope(unit.path, m, m.value(now), m.value(then),
                                       standing(m, unit.id, unit.path, m.value(now)), lang)
    empty = not any(m.value(board) for m in measures)

    wb = exports.XlsxWriter()
    summary = wb.sheet(label("summary"))
    summary.append([label("title"), period_label], bold=True)
    summary.append([label(h) for h in ("indicator", "measure", "actual", "target", "due_on", "expected", "gap",
                                       "previous", "trend")], bold=True)
    summary.freeze("B3")
    for m in measures:
        now, then = m.value(board), m.value(before)
        s = standing(m, None, None, now)
        summary.append([m.name(lang), label(m.unit)])
        _put(summary, 3, m, now, board, lang)
        if s is not None:
            _put(summary, 4, m, s.target.value)
            summary.ws.cell(row=summary.ws.max_row, column=5, value=s.target.due_on).number_format = "yyyy-mm-dd"
            _put(summary, 6, m, s.expected)
            _put(summary, 7, m, s.gap)
        _put(summary, 8, m, then, before, lang)
        summary.ws.cell(row=summary.ws.max_row, column=9, value=label(_trend(m, now, then)))
    summary.append([])
    summary.append([label("findings")], bold=True)
    if empty:
        summary.append([render(lang, "report_finding", kind="empty", period=period_label)])
    for f in targets.ranked(found) or [targets.Finding("none", 0)]:
        if not (empty and f.kind == "none"):
            summary.append([render(lang, "report_finding", kind=f.kind, **f.params)])
    _widths(summary, [30, 10, 12, 12, 12, 12, 18, 12, 8])

    per_unit = wb.sheet(label("units"))
    per_unit.append([label("kind"), label("unit"), *[m.name(lang) for m in measures]], bold=True)
    per_unit.freeze("C2")
    for unit, now, _ in unit_rows:
        per_unit.append([label(unit.kind) if unit.kind in ("department", "branch") else unit.kind, unit.path])
        for i, m in enumerate(measures, start=3):
            _put(per_unit, i, m, m.value(now), now, lang)
    _widths(per_unit, [8, 24, *[max(12, len(m.name(lang)) * (2 if lang == "zh" else 1) + 2) for m in measures]])

    definitions = wb.sheet(label("definitions"))
    definitions.append([label(h) for h in ("indicator", "key", "measure", "better", "definition")], bold=True)
    definitions.freeze("A2")
    for m in measures:
        definitions.append([m.name(lang), m.key, label(m.unit), label(m.better), m.definition(lang)])
    _widths(definitions, [24, 32, 10, 12, 80])

    raw = wb.sheet(label("figures"))
    raw.append([label("period"), period_label, label("note_raw")])
    raw.append([label("key"), label("value")], bold=True)
    raw.freeze("A3")
    for key, value in _flatten(board).items():
        raw.append([key, value])
        if isinstance(value, float):
            raw.number_format(raw.ws.max_row, 2, "0.000")
    _widths(raw, [40, 14])
    return period_label, wb.to_bytes()
