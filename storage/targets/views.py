"""What the target templates see: names in the reader's language and figures formatted as what they are."""
from __future__ import annotations

from storage import kpi
from storage.targets.rules import Standing
from storage.targets.slips import Slip


def fmt(measure: kpi.Measure, value: float | None, lang: str = "zh") -> str:
    """A figure as a reader reads it: 45%, 3.6, 2, 7.0 天 (— when there is none)."""
    if value is None:
        return "—"
    if measure.unit == "%":
        return f"{value * 100:.1f}%"
    if measure.unit == "count":
        return f"{value:.0f}"
    if measure.unit == "days":
        return f"{value:.1f} days" if lang == "en" else f"{value:.1f} 天"
    return f"{value:.1f}"


def fmt_gap(measure: kpi.Measure, gap: float | None, lang: str = "zh") -> str:
    """The distance behind (positive) in the figure's own terms: percentage points for "%"."""
    if gap is None:
        return "—"
    if measure.unit == "%":
        return f"{gap * 100:.1f}" + (" pts" if lang == "en" else " 个百分点")
    return fmt(measure, gap, lang)


def standing_view(s: Standing, lang: str) -> dict:
    m = s.measure
    return {"key": m.key, "name": m.name(lang), "unit": s.unit, "actual": fmt(m, s.actual, lang),
            "target": fmt(m, s.target.value, lang), "due_on": s.target.due_on, "expected": fmt(m, s.expected, lang),
            "gap": fmt_gap(m, s.gap, lang), "on_track": s.on_track}


def period_view(s: Standing, previous: float | None, lang: str) -> dict:
    """A target on the /kpi board: the standing, the month before and whether it got better or worse."""
    view = standing_view(s, lang)
    m = s.measure
    if s.actual is None or previous is None:
        trend = "none"
    elif abs(s.actual - previous) < 1e-9:
        trend = "same"
    else:
        trend = "better" if m.better_than(s.actual, previous) else "worse"
    return {**view, "previous": fmt(m, previous, lang), "trend": trend}


def slip_view(slip: Slip, lang: str) -> dict:
    """A target worse than the period before: the standing, the figure before, the change and the margin."""
    m = slip.standing.measure
    return {**standing_view(slip.standing, lang), "previous": fmt(m, slip.previous, lang),
            "change": fmt_gap(m, slip.change, lang), "margin": fmt_gap(m, slip.margin, lang)}
