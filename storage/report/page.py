"""The diagnostic report as one printable HTML page for the committee meeting: the same content as the
workbook (`content.gather`), rendered through the `report_page` template with the charts inline as base64
PNG, so the file stands alone (no network, no other files)."""
from __future__ import annotations

import base64

from markupsafe import Markup

from messages import render
from storage.report import charts
from storage.report.content import Report
from storage.report.lists import FILLS
from storage.report.xlsx import trend
from storage.targets import fmt, fmt_gap

# Print-friendly: A4 landscape, tables that break across pages between rows.
STYLE = Markup("""
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; font-size: 11pt; }
table { border-collapse: collapse; margin: 6pt 0 14pt; width: 100%; }
th, td { border: 1px solid #999; padding: 2pt 5pt; text-align: left; vertical-align: top; }
th { background: #eee; } tr { page-break-inside: avoid; }
img { max-width: 100%; } h2 { page-break-after: avoid; }
tr.unit-target td:first-child { color: #888; }
""")


def _value(r: Report, m, value, withheld: bool) -> str:
    return r.label("withheld") if withheld else fmt(m, value, r.lang)


def _png(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def build(r: Report, trend_png: bytes | None = None, units_png: bytes | None = None) -> str:
    """The page's HTML (charts drawn here unless given)."""
    summary = []
    for line in r.lines:
        m, s = line.measure, line.standing
        summary.append({"name": m.name(r.lang), "scope": line.scope, "unit_target": line.unit_target,
                        "measure": r.label(m.unit),
                        "actual": _value(r, m, line.actual, line.withheld),
                        "target": fmt(m, s.target.value, r.lang) if s else "—",
                        "due_on": s.target.due_on.isoformat() if s else "—",
                        "expected": fmt(m, s.expected, r.lang) if s else "—",
                        "gap": fmt_gap(m, s.gap, r.lang) if s else "—",
                        "previous": _value(r, m, line.previous, line.previous_withheld),
                        "trend": r.label(trend(line.actual, line.previous))})
    standings = [{"name": s.measure.name(r.lang), "unit": s.unit or r.label("organisation"),
                  "actual": fmt(s.measure, s.actual, r.lang), "target": fmt(s.measure, s.target.value, r.lang),
                  "due_on": s.target.due_on.isoformat(), "expected": fmt(s.measure, s.expected, r.lang),
                  "gap": fmt_gap(s.measure, s.gap, r.lang)} for s in r.standings]
    indicators = [{"name": m.name(r.lang), "rows": [
        {"unit": row.unit.path, "actual": _value(r, m, m.value(row.board), m.withheld(row.board)),
         "previous": _value(r, m, m.value(row.before), m.withheld(row.before)),
         "trend": r.label(trend(m.value(row.board), m.value(row.before)))} for row in r.unit_rows]}
        for m in r.measures]
    return render(r.lang, "report_page", r=r, style=STYLE, summary=summary, standings=standings, findings=r.finding_texts(),
                  indicators=indicators, fills=FILLS, legend=[(FILLS[s], r.legend(s)) for s in FILLS],
                  trend_png=_png(trend_png or charts.trend_png(r)), units_png=_png(units_png or charts.units_png(r)),
                  unit_key=charts.unit_key(r))
