"""The diagnostic report as an Excel workbook a secretary can read: the summary with the findings in words,
the indicators by unit, one sheet per indicator by unit, the responsibility list in its status colours (with
a legend), the feedback PDCA records, the reception outcomes, the charts, the definitions and an appendix of
every figure. Written through `storage.exports`, which keeps people's text as text."""
from __future__ import annotations

import io

from openpyxl.drawing.image import Image
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from storage import exports, kpi
from storage.report import charts
from storage.report.content import Report
from storage.report.lists import FILLS

FORMATS = {"%": "0.0%", "score": "0.0", "count": "0", "days": "0.0"}


def _flatten(board: dict) -> dict[str, object]:
    """One row per figure; a figure made of parts (first replies by working days) gets one per part."""
    flat: dict[str, object] = {}
    for feature, figures in board.items():
        for key, value in figures.items():
            if isinstance(value, dict):
                flat.update({f"{feature}.{key}.{part}": v for part, v in value.items()})
            else:
                flat[f"{feature}.{key}"] = value
    return flat


def _put(sheet: exports.Sheet, column: int, measure: kpi.Measure, value, withheld: bool, r: Report) -> None:
    """Write a figure into the last row's `column` (1-based), formatted; a withheld figure says so."""
    row = sheet.ws.max_row
    if withheld:
        sheet.ws.cell(row=row, column=column, value=r.label("withheld"))
        return
    if value is None:
        return
    sheet.ws.cell(row=row, column=column, value=value)
    sheet.number_format(row, column, FORMATS[measure.unit])


def trend(now, before) -> str:
    if now is None or before is None:
        return "none"
    if abs(now - before) < 1e-9:
        return "flat"
    return "up" if now > before else "down"


def _widths(sheet: exports.Sheet, widths: list[float]) -> None:
    sheet.widths({get_column_letter(i): w for i, w in enumerate(widths, start=1)})


def _summary(wb: exports.XlsxWriter, r: Report) -> None:
    """One row per indicator for the report's scope, and under it one row per unit with its own target
    (the indicator's name repeated, so the sheet can be filtered and each row read alone)."""
    sheet = wb.sheet(r.label("summary"))
    sheet.append([r.label("title"), r.period], bold=True)
    sheet.append([r.label(h) for h in ("indicator", "scope", "measure", "actual", "target", "due_on", "expected",
                                       "gap", "previous", "trend")], bold=True)
    sheet.freeze("C3")
    for line in r.lines:
        m, s = line.measure, line.standing
        sheet.append([m.name(r.lang), line.scope, r.label(m.unit)])
        _put(sheet, 4, m, line.actual, line.withheld, r)
        if s is not None:
            _put(sheet, 5, m, s.target.value, False, r)
            sheet.ws.cell(row=sheet.ws.max_row, column=6, value=s.target.due_on).number_format = "yyyy-mm-dd"
            _put(sheet, 7, m, s.expected, False, r)
            _put(sheet, 8, m, s.gap, False, r)
        _put(sheet, 9, m, line.previous, line.previous_withheld, r)
        sheet.ws.cell(row=sheet.ws.max_row, column=10, value=r.label(trend(line.actual, line.previous)))
    sheet.append([])
    sheet.append([r.label("findings")], bold=True)
    for text in r.finding_texts():
        sheet.append([text])
    _widths(sheet, [30, 16, 10, 12, 12, 12, 12, 18, 12, 8])


def _unit_kind(r: Report, kind: str) -> str:
    return r.label(kind) if kind in ("department", "branch") else kind


def _units(wb: exports.XlsxWriter, r: Report) -> None:
    sheet = wb.sheet(r.label("units"))
    sheet.append([r.label("kind"), r.label("unit"), *[m.name(r.lang) for m in r.measures]], bold=True)
    sheet.freeze("C2")
    for row in r.unit_rows:
        sheet.append([_unit_kind(r, row.unit.kind), row.unit.path])
        for i, m in enumerate(r.measures, start=3):
            _put(sheet, i, m, m.value(row.board), m.withheld(row.board), r)
    _widths(sheet, [8, 24, *[max(12, len(m.name(r.lang)) * (2 if r.lang == "zh" else 1) + 2) for m in r.measures]])


def _per_indicator(wb: exports.XlsxWriter, r: Report) -> None:
    """One sheet per indicator: each unit's figure, the period before and the trend."""
    for m in r.measures:
        sheet = wb.sheet(m.name(r.lang))
        sheet.append([m.name(r.lang), r.label(m.unit), m.definition(r.lang)], bold=True)
        sheet.append([r.label(h) for h in ("kind", "unit", "actual", "previous", "trend")], bold=True)
        sheet.freeze("C3")
        for row in r.unit_rows:
            now, then = m.value(row.board), m.value(row.before)
            sheet.append([_unit_kind(r, row.unit.kind), row.unit.path])
            _put(sheet, 3, m, now, m.withheld(row.board), r)
            _put(sheet, 4, m, then, m.withheld(row.before), r)
            sheet.ws.cell(row=sheet.ws.max_row, column=5, value=r.label(trend(now, then)))
        _widths(sheet, [10, 24, 14, 14, 8])


def _targets(wb: exports.XlsxWriter, r: Report) -> None:
    """Every target in scope (the organisation's and each unit's) against its trajectory at the period's end."""
    sheet = wb.sheet(r.label("targets"))
    sheet.append([r.label(h) for h in ("indicator", "unit", "actual", "target", "due_on", "expected", "gap")],
                 bold=True)
    sheet.freeze("C2")
    for s in r.standings:
        m = s.measure
        sheet.append([m.name(r.lang), s.unit or r.label("organisation")])
        _put(sheet, 3, m, s.actual, False, r)
        _put(sheet, 4, m, s.target.value, False, r)
        sheet.ws.cell(row=sheet.ws.max_row, column=5, value=s.target.due_on).number_format = "yyyy-mm-dd"
        _put(sheet, 6, m, s.expected, False, r)
        _put(sheet, 7, m, s.gap, False, r)
    if not r.standings:
        sheet.append([r.label("no_targets")])
    _widths(sheet, [24, 20, 12, 12, 12, 12, 18])


def _tasks(wb: exports.XlsxWriter, r: Report) -> None:
    fills = {state: PatternFill("solid", start_color=colour, end_color=colour) for state, colour in FILLS.items()}
    sheet = wb.sheet(r.label("tasks"))
    sheet.append([r.label(h) for h in ("task_no", "task_title", "lead_unit", "owner", "due", "status")], bold=True)
    sheet.freeze("A2")
    for t in r.tasks:
        sheet.append([t["no"], t["title"], t["unit"], t["owner"], t["due"], t["status"]])
        row = sheet.ws.max_row
        sheet.number_format(row, 5, "yyyy-mm-dd")
        for column in range(1, 7):
            sheet.ws.cell(row=row, column=column).fill = fills[t["state"]]
    if not r.tasks:
        sheet.append([r.label("no_rows")])
    sheet.append([])
    sheet.append([r.label("legend")], bold=True)
    for state in FILLS:
        sheet.append([r.legend(state)])
        sheet.ws.cell(row=sheet.ws.max_row, column=1).fill = fills[state]
    _widths(sheet, [16, 40, 16, 12, 12, 16])


def _pdca(wb: exports.XlsxWriter, r: Report) -> None:
    sheet = wb.sheet(r.label("pdca"))
    sheet.append([r.label(h) for h in ("ticket", "category", "received", "result", "root_cause", "improvement",
                                       "closed", "close_reason", "task_no")], bold=True)
    sheet.freeze("A2")
    for p in r.pdca:
        sheet.append([p["id"], p["category"], p["received"], p["result"], p["root_cause"], p["measure"],
                      p["closed"], p["reason"], p["task"]])
        sheet.number_format(sheet.ws.max_row, 3, "yyyy-mm-dd")
        sheet.number_format(sheet.ws.max_row, 7, "yyyy-mm-dd")
    if not r.pdca:
        sheet.append([r.label("no_rows")])
    _widths(sheet, [12, 14, 12, 12, 30, 30, 12, 24, 16])


def _reception(wb: exports.XlsxWriter, r: Report) -> None:
    sheet = wb.sheet(r.label("reception"))
    sheet.append([r.label(h) for h in ("day", "leader", "member", "unit", "topic", "outcome", "note", "task_no")],
                 bold=True)
    sheet.freeze("A2")
    for b in r.reception:
        sheet.append([b["day"], b["leader"], b["member"], b["unit"], b["topic"], b["outcome"], b["note"], b["task"]])
        sheet.number_format(sheet.ws.max_row, 1, "yyyy-mm-dd")
    if not r.reception:
        sheet.append([r.label("no_rows")])
    _widths(sheet, [12, 12, 12, 16, 30, 14, 30, 16])


def _charts(wb: exports.XlsxWriter, r: Report, trend_png: bytes, units_png: bytes) -> None:
    """Both pictures, one under the other (a row is about 20 pixels), and the units' numbers under them."""
    sheet = wb.sheet(r.label("charts"))
    row = 1
    for title, png in (("chart_trend", trend_png), ("chart_units", units_png)):
        sheet.ws.cell(row=row, column=1, value=r.label(title)).font = exports.BOLD
        image = Image(io.BytesIO(png))
        sheet.ws.add_image(image, f"A{row + 1}")
        row += 2 + image.height // 20 + 1
    key = charts.unit_key(r)
    if key:
        sheet.ws.cell(row=row, column=1, value=r.label("chart_key")).font = exports.BOLD
        for i, name in key:
            sheet.ws.cell(row=row + i, column=1, value=i)
            sheet.ws.cell(row=row + i, column=2, value=name)


def _definitions(wb: exports.XlsxWriter, r: Report) -> None:
    sheet = wb.sheet(r.label("definitions"))
    sheet.append([r.label(h) for h in ("indicator", "key", "measure", "better", "definition")], bold=True)
    sheet.freeze("A2")
    for m in r.measures:
        sheet.append([m.name(r.lang), m.key, r.label(m.unit), r.label(m.better), m.definition(r.lang)])
    _widths(sheet, [24, 32, 10, 12, 80])


def _figures(wb: exports.XlsxWriter, r: Report) -> None:
    sheet = wb.sheet(r.label("figures"))
    sheet.append([r.label("period"), r.period, r.label("note_raw")])
    sheet.append([r.label("key"), r.label("value")], bold=True)
    sheet.freeze("A3")
    # Group-size gating holds here too: a figure about answers from too few people is not written.
    withheld = {m.key for m in r.measures if m.withheld(r.board)}
    for key, value in _flatten(r.board).items():
        if key in withheld:
            value = r.label("withheld")
        sheet.append([key, value])
        if isinstance(value, float):
            sheet.number_format(sheet.ws.max_row, 2, "0.000")
    _widths(sheet, [40, 14])


def build(r: Report, trend_png: bytes | None = None, units_png: bytes | None = None) -> bytes:
    """The workbook's bytes (charts drawn here unless given)."""
    wb = exports.XlsxWriter()
    _summary(wb, r)
    _units(wb, r)
    _targets(wb, r)
    _per_indicator(wb, r)
    _tasks(wb, r)
    _pdca(wb, r)
    _reception(wb, r)
    _charts(wb, r, trend_png or charts.trend_png(r), units_png or charts.units_png(r))
    _definitions(wb, r)
    _figures(wb, r)
    return wb.to_bytes()
