"""The report's findings in words, from the figures by rules you can read here, ranked by the size of the gap.

A finding is one of:
- behind: a target whose figure is worse than its trajectory at the period's end (size: the gap);
- worse: a figure worse than the period before by more than its margin (`kpi.MARGINS`, or the indicator's
  own `margin`) (size: the change);
- overdue: a unit with tasks overdue at the period's end (size: OVERDUE_WEIGHT a task).
Sizes are on one scale: percentage points for "%", and for other units the gap as a percent of the target
(or of the previous figure), so "30 points under target" ranks above "0.2 of a score below last month".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from storage import kpi
from storage.targets.rules import Standing
from storage.targets.views import fmt, fmt_gap

OVERDUE_WEIGHT = 5.0
OVERDUE_KEY = "tasks.overdue"


@dataclass
class Finding:
    kind: str
    size: float
    params: dict = field(default_factory=dict)


def _size(measure: kpi.Measure, amount: float, base: float | None) -> float:
    if measure.unit == "%":
        return amount * 100
    return amount / max(abs(base or 0), 1.0) * 100


def for_scope(unit: str, measure: kpi.Measure, actual: float | None, previous: float | None,
              standing: Standing | None, lang: str) -> list[Finding]:
    """What to say about one indicator in one scope (a unit, or the organisation)."""
    out = []
    common = {"unit": unit, "name": measure.name(lang), "actual": fmt(measure, actual, lang),
              "better": measure.better}
    if standing is not None and standing.on_track is False:
        out.append(Finding("behind", _size(measure, standing.gap, standing.target.value), {
            **common, "expected": fmt(measure, standing.expected, lang), "gap": fmt_gap(measure, standing.gap, lang),
            "target": fmt(measure, standing.target.value, lang), "due_on": standing.target.due_on}))
    if actual is not None and previous is not None:
        change = measure.worsened(actual, previous)
        if change > measure.worse_margin + 1e-9:
            out.append(Finding("worse", _size(measure, change, previous), {
                **common, "previous": fmt(measure, previous, lang), "change": fmt_gap(measure, change, lang)}))
    if measure.key == OVERDUE_KEY and actual:
        out.append(Finding("overdue", actual * OVERDUE_WEIGHT, common))
    return out


def ranked(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: -f.size)
