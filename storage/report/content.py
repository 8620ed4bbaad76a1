"""What the diagnostic report (运行诊断报告) says, gathered once so the workbook, the HTML page and the charts
show the same figures: each indicator's actual, target, gap and trend, the findings in words (rules in
`storage/targets/findings.py`), the indicators per unit, and the lists behind them (tasks, PDCA records,
reception outcomes). Scope None is the whole organisation (admins, the CLI); a set is a secretary's units.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from messages import render
from storage import kpi, targets, units
from storage.context import Context
from storage.models.org import Unit
from storage.report.lists import pdca_records, reception_outcomes, task_rows

HISTORY = 6  # periods a trend chart shows


@dataclass
class Line:
    """One row of the summary: an indicator's figure now and before in one scope, and the standing of that
    scope's own target (if one is set). `scope` names whose figure it is: the organisation, the reader's
    units together, or one unit with a target of its own (shown under the indicator's first row)."""
    measure: kpi.Measure
    actual: float | None
    withheld: bool
    previous: float | None
    previous_withheld: bool
    standing: targets.Standing | None
    scope: str = ""
    unit_target: bool = False  # a unit's own row, listed because the unit has a target for the indicator


@dataclass
class UnitRow:
    unit: Unit
    board: dict
    before: dict


@dataclass
class Report:
    period: str
    lang: str
    whole: bool
    empty: bool
    day: date
    measures: list[kpi.Measure]
    board: dict
    lines: list[Line]
    findings: list[targets.Finding]
    unit_rows: list[UnitRow]
    history: list[tuple[str, dict]]  # (period, board) oldest first, the report's period last
    target_lines: dict[str, list[tuple[str, float]]]  # key -> [(scope name, target value)]
    standings: list[targets.Standing] = field(default_factory=list)  # every target in scope, at the period's end
    tasks: list[dict] = field(default_factory=list)
    pdca: list[dict] = field(default_factory=list)
    reception: list[dict] = field(default_factory=list)

    def label(self, name: str) -> str:
        return render(self.lang, "report_label", name=name)

    def legend(self, state: str) -> str:
        """What a status colour of the responsibility list means."""
        return render(self.lang, "report_task_state", state=state)

    def finding_texts(self) -> list[str]:
        if self.empty:
            return [render(self.lang, "report_finding", kind="empty", period=self.period, better="higher",
                           previous_period=None)]
        found = self.findings or [targets.Finding("none", 0)]
        before = kpi.previous_period(self.period)
        return [render(self.lang, "report_finding", kind=f.kind, **{"better": "higher", "previous_period": before,
                                                                    **f.params}) for f in found]


DAYS_KEY = "tasks.avg_days_overdue"


def _with_days(found: list[targets.Finding], board: dict, lang: str) -> list[targets.Finding]:
    """An overdue-tasks finding also says how long they have been overdue on average (same scope, same moment)."""
    days = kpi.MEASURES.get(DAYS_KEY)
    for f in found:
        if f.kind == "overdue" and days is not None and days.value(board) is not None:
            f.params["days"] = targets.fmt(days, days.value(board), lang)
    return found


# What "nothing to report" means, as the note says it: no task due (or left overdue), no lesson published, no
# survey closed, no ticket received, no reception day or meeting held. Read from these counts rather than
# from the indicators: a lesson nobody learned is 0%, a finding, not an empty month.
ACTIVITY = {"tasks": ("tasks_due", "overdue"), "lessons": ("lessons_published",), "surveys": ("surveys_closed",),
            "feedback": ("tickets_received",), "reception": ("days_held",), "orglife": ("meetings_held",)}


def _empty(board: dict) -> bool:
    return not any((board.get(feature) or {}).get(name) for feature, names in ACTIVITY.items() for name in names)


async def _units_in(session, scope: set[int] | None) -> list[Unit]:
    query = select(Unit).order_by(Unit.kind, Unit.path)
    if scope is not None:
        query = query.where(Unit.id.in_(scope or {-1}))
    return list((await session.execute(query)).scalars())


async def gather(session, ctx: Context, period: str | None, lang: str = "zh",
                 scope: set[int] | None = None, *, history: bool = True, lists: bool = True) -> Report:
    """Everything the report shows for the month `period` (this month when empty), within `scope`."""
    lang = "en" if lang == "en" else "zh"
    label, start, end = kpi.period_bounds(period, ctx)
    _, prev_start, prev_end = kpi.period_bounds(kpi.previous_period(label), ctx)
    measures = kpi.catalogue()
    board = await kpi.collect(session, ctx, unit_ids=scope, start=start, end=end)
    before = await kpi.collect(session, ctx, unit_ids=scope, start=prev_start, end=prev_end)
    day = min(end.astimezone(ctx.tz).date() - timedelta(days=1), ctx.local_now().date())
    set_targets = {(t.key, t.unit_id): t for t in await targets.targets_in(session, scope)}
    whole_name = render(lang, "report_label", name="organisation")

    rows = []
    for unit in await _units_in(session, scope):
        sub = await units.subtree_ids(session, {unit.id})
        rows.append(UnitRow(unit, await kpi.collect(session, ctx, unit_ids=sub, start=start, end=end),
                            await kpi.collect(session, ctx, unit_ids=sub, start=prev_start, end=prev_end)))

    def standing(m, unit_id, name, value):
        t = set_targets.get((m.key, unit_id))
        return None if t is None else targets.standing(t, m, name, value, day)

    # The summary: per indicator, the scope's row (the organisation's target on it when the report is
    # organisation-wide; the unit's own when the report is for one unit), then one row per unit in scope
    # with a target for it, so each target stands beside the figure of the same unit, never a sum of several.
    single = rows[0] if scope is not None and len(rows) == 1 else None
    head = whole_name if scope is None else single.unit.path if single else render(lang, "report_label",
                                                                                   name="scope_together")
    lines, found = [], []
    for m in measures:
        now, then = m.value(board), m.value(before)
        s = standing(m, None, None, now) if scope is None else (
            standing(m, single.unit.id, single.unit.path, now) if single else None)
        lines.append(Line(m, now, m.withheld(board), then, m.withheld(before), s, head))
        if scope is None:
            found += _with_days(targets.for_scope(whole_name, m, now, then, s, lang), board, lang)
        for r in rows:
            value = m.value(r.board)
            s = standing(m, r.unit.id, r.unit.path, value)
            found += _with_days(targets.for_scope(r.unit.path, m, value, m.value(r.before), s, lang), r.board, lang)
            if s is not None and r is not single:
                lines.append(Line(m, value, m.withheld(r.board), m.value(r.before), m.withheld(r.before), s,
                                  r.unit.path, unit_target=True))

    by_unit = {r.unit.id: r for r in rows}
    standings = []
    for (key, uid), t in set_targets.items():
        m = kpi.MEASURES.get(key)
        if m is None or (uid is not None and uid not in by_unit):
            continue
        figures = board if uid is None else by_unit[uid].board
        standings.append(targets.standing(t, m, None if uid is None else by_unit[uid].unit.path, m.value(figures),
                                          day))
    order = {m.key: i for i, m in enumerate(measures)}
    standings.sort(key=lambda s: (order.get(s.measure.key, 0), s.unit or ""))
    names = await units.names(session, {uid for _, uid in set_targets if uid is not None})
    target_lines: dict[str, list[tuple[str, float]]] = {}
    for (key, uid), t in sorted(set_targets.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        target_lines.setdefault(key, []).append((whole_name if uid is None else names.get(uid, "?"), t.value))

    past = []
    if history:
        for back in range(HISTORY - 1, 0, -1):
            p = kpi.previous_period(label, back)
            _, s_start, s_end = kpi.period_bounds(p, ctx)
            past.append((p, before if back == 1 else
                         await kpi.collect(session, ctx, unit_ids=scope, start=s_start, end=s_end)))
    past.append((label, board))

    return Report(
        period=label, lang=lang, whole=scope is None, empty=_empty(board), day=day,
        measures=measures, board=board, lines=lines, findings=targets.ranked(found), unit_rows=rows,
        history=past, target_lines=target_lines, standings=standings,
        tasks=await task_rows(session, ctx, scope, start, end, lang) if lists else [],
        pdca=await pdca_records(session, ctx, scope, start, end, lang) if lists else [],
        reception=await reception_outcomes(session, ctx, scope, start, end, lang) if lists else [])
