"""Setting targets by the SMART rule (a known indicator, a value, a date still ahead) and measuring them.

"On track" means the figure is at least as good as the trajectory: the straight line from the baseline (the
figure over the 30 days before the target was set) on the day it was set to the target value on its date.
The figure measured is the last 30 days (a rolling month), so a Monday warning does not read an empty month.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import kpi, members, tasks, units
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member, Unit
from storage.tabular import parse_datetime
from storage.targets.models import Target

WINDOW = timedelta(days=30)
ALL = "all"


def parse_value(measure: kpi.Measure, text) -> float:
    """The value as the figure holds it ("%": 80 or 80% is 0.8); refused when missing or not a number."""
    raw = "" if text is None else str(text).strip().rstrip("%").strip()
    if not raw:
        raise Refused("targets_no_value", key=measure.key, name=measure.zh)
    try:
        value = float(raw)
    except ValueError:
        raise Refused("targets_bad_value", key=measure.key, name=measure.zh, value=str(text)) from None
    if not math.isfinite(value):  # "nan" and "inf" are floats, not targets
        raise Refused("targets_bad_value", key=measure.key, name=measure.zh, value=str(text))
    if measure.unit == "%":
        if not 0 <= value <= 100:
            raise Refused("targets_bad_value", key=measure.key, name=measure.zh, value=str(text))
        return value / 100
    if value < 0:
        raise Refused("targets_bad_value", key=measure.key, name=measure.zh, value=str(text))
    return value


def parse_margin(measure: kpi.Measure, text) -> float | None:
    """A target's own margin for "worse than the period before" ("%": 10 is 10 points); None when empty."""
    raw = "" if text is None else str(text).strip().rstrip("%").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Refused("targets_bad_margin", key=measure.key, name=measure.zh, value=str(text)) from None
    if not math.isfinite(value) or value < 0 or (measure.unit == "%" and value > 100):
        raise Refused("targets_bad_margin", key=measure.key, name=measure.zh, value=str(text))
    return value / 100 if measure.unit == "%" else value


def parse_due(text, ctx: Context) -> date:
    """The date the target is due, after today (local); refused when missing, malformed or past."""
    raw = "" if text is None else str(text).strip()
    if not raw:
        raise Refused("targets_no_date")
    parsed = parse_datetime(text if isinstance(text, date) else raw)  # a date cell, 2027-06-30, 2027/6/30
    if parsed is None:
        raise Refused("targets_bad_date", value=raw)
    day = parsed[0]
    if day <= ctx.local_now().date():
        raise Refused("targets_past_date", value=day.isoformat())
    return day


async def scope_unit(session: AsyncSession, text) -> Unit | None:
    """The unit named (department or branch, by name or path); None for "all"; refused when unknown."""
    raw = "" if text is None else str(text).strip()
    if raw.lower() in (ALL, "全部", "全公司"):
        return None
    unit = await units.find_any(session, raw) if raw else None
    if unit is None:
        raise Refused("targets_unknown_unit", value=raw)
    return unit


async def actual(session: AsyncSession, ctx: Context, measure: kpi.Measure, unit_id: int | None,
                 start=None, end=None) -> float | None:
    """The figure of `measure` for the unit (with everything below) or the organisation; the last 30 days
    unless a period is given."""
    end = end or ctx.now()
    start = start or end - WINDOW
    scope = None if unit_id is None else await units.subtree_ids(session, {unit_id})
    fn = dict(kpi.features()).get(measure.feature)
    if fn is None:
        return None
    figures = await fn(session, ctx, unit_ids=scope, start=start, end=end)
    return measure.value({measure.feature: figures})


async def set_target(session: AsyncSession, ctx: Context, *, key: str, unit, value, by,
                     set_by: Member | None = None, margin=None) -> Target:
    """Check everything first (nothing is written on a refusal), then set or replace the target."""
    measure = kpi.measure(key)
    number = parse_value(measure, value)
    due = parse_due(by, ctx)
    allowed = parse_margin(measure, margin)
    scope = await scope_unit(session, unit)
    unit_id = None if scope is None else scope.id
    baseline = await actual(session, ctx, measure, unit_id)
    same_scope = Target.unit_id.is_(None) if unit_id is None else Target.unit_id == unit_id
    key = measure.key  # it may have been given by name
    target = (await session.execute(select(Target).where(Target.key == key, same_scope))).scalar_one_or_none()
    if target is None:
        target = Target(key=key, unit_id=unit_id)
        session.add(target)
    target.value, target.due_on, target.baseline, target.margin = number, due, baseline, allowed
    target.set_on, target.set_at = ctx.local_now().date(), ctx.now()
    target.set_by_id = set_by.id if set_by else None
    await session.flush()
    return target


def expected(target: Target, day: date) -> float:
    """Where the figure should be on `day`: on the line from the baseline to the target."""
    if target.baseline is None or day >= target.due_on:
        return target.value
    span = (target.due_on - target.set_on).days or 1
    done = max(0, (day - target.set_on).days)
    return target.baseline + (target.value - target.baseline) * done / span


@dataclass
class Standing:
    """A target measured: the figure, where it should be now, the gap (positive: behind) and on track."""
    target: Target
    measure: kpi.Measure
    unit: str | None
    actual: float | None
    expected: float
    gap: float | None
    on_track: bool | None


def standing(target: Target, measure: kpi.Measure, unit: str | None, figure: float | None, day: date) -> Standing:
    should = expected(target, day)
    if figure is None:
        return Standing(target, measure, unit, None, should, None, None)
    gap = should - figure if measure.better == "higher" else figure - should
    return Standing(target, measure, unit, figure, should, gap, measure.better_than(figure, should))


async def targets_in(session: AsyncSession, unit_ids: set[int] | None) -> list[Target]:
    """Targets of the units in scope (None: all targets, the organisation's included), by key."""
    query = select(Target).order_by(Target.key, Target.unit_id)
    if unit_ids is not None:
        query = query.where(Target.unit_id.in_(unit_ids or {-1}))
    return list((await session.execute(query)).scalars())


async def standings(session: AsyncSession, ctx: Context, unit_ids: set[int] | None) -> list[Standing]:
    """Every target in scope measured over the last 30 days, against its trajectory today."""
    kpi.catalogue()
    found = [t for t in await targets_in(session, unit_ids) if t.key in kpi.MEASURES]
    names = await units.names(session, {t.unit_id for t in found if t.unit_id is not None})
    today = ctx.local_now().date()
    out = []
    for t in found:
        m = kpi.MEASURES[t.key]
        out.append(standing(t, m, names.get(t.unit_id), await actual(session, ctx, m, t.unit_id), today))
    return out


CORRECTIVE_DAYS = 14


async def corrective_task(session: AsyncSession, ctx: Context, member: Member, target_id: int) -> tasks.Task:
    """Put a corrective measure for an off-track target on the responsibility list: owned by the one who
    pressed, led by the target's unit, due in two weeks, linked to the target (`source`), once a week."""
    target = await session.get(Target, target_id)
    scope = await members.staff_unit_ids(session, member)
    if target is None or target.key not in kpi.MEASURES:
        raise Refused("targets_gone")
    if scope is not None and (target.unit_id is None or target.unit_id not in scope):
        raise Refused("not_allowed")
    lead = target.unit_id or member.unit_id
    if lead is None:
        raise Refused("targets_task_no_unit")
    today = ctx.local_now().date()
    year, week, _ = today.isocalendar()
    source = f"target:{target.id}:{year}-W{week:02d}"
    made = (await session.execute(select(tasks.Task).where(tasks.Task.source == source))).scalars().first()
    if made is not None:
        raise Refused("targets_task_exists", task_no=made.task_no)
    unit = (await units.names(session, [target.unit_id])).get(target.unit_id) if target.unit_id else None
    title = render(member.language, "targets_task_title", name=kpi.MEASURES[target.key].name(member.language),
                   unit=unit)
    return await tasks.create_task(session, ctx, title=title, lead_unit_id=lead, owner_id=member.id,
                                   deadline=today + timedelta(days=CORRECTIVE_DAYS), source=source,
                                   actor_id=member.id)


async def period_standings(session: AsyncSession, ctx: Context, unit_ids: set[int] | None, period: str
                           ) -> list[tuple[Standing, float | None]]:
    """For /kpi: each target in scope measured over the month `period` (YYYY-MM) against its trajectory at the
    month's end (today for the month running), with the figure of the month before."""
    _, start, end = kpi.period_bounds(period, ctx)
    _, prev_start, prev_end = kpi.period_bounds(kpi.previous_period(period), ctx)
    day = min(end.astimezone(ctx.tz).date() - timedelta(days=1), ctx.local_now().date())
    kpi.catalogue()
    found = [t for t in await targets_in(session, unit_ids) if t.key in kpi.MEASURES]
    names = await units.names(session, {t.unit_id for t in found if t.unit_id is not None})
    out = []
    for t in found:
        m = kpi.MEASURES[t.key]
        figure = await actual(session, ctx, m, t.unit_id, start, min(end, ctx.now()))
        before = await actual(session, ctx, m, t.unit_id, prev_start, prev_end)
        out.append((standing(t, m, names.get(t.unit_id), figure, day), before))
    return out
