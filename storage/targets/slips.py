"""The warning's second test: a target's figure worse than the period before by more than a set margin,
even while it is still on its trajectory. Both periods are rolling 30 days (the last, and the 30 before);
the margin is the target's own (`targets set --margin`), else the indicator's (`kpi.Measure.margin`), else
the default for its unit of measure (`kpi.MARGINS`)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.context import Context
from storage.targets.rules import WINDOW, Standing, actual


@dataclass
class Slip:
    """A target whose figure got worse: the standing now, the figure before, how much worse, the margin."""
    standing: Standing
    previous: float
    change: float
    margin: float


def margin_of(s: Standing) -> float:
    own = getattr(s.target, "margin", None)
    return s.measure.worse_margin if own is None else own


async def slipping(session: AsyncSession, ctx: Context, standings: list[Standing]) -> list[Slip]:
    """The standings (measured over the last 30 days) whose figure is worse than over the 30 days before by
    more than their margin."""
    end = ctx.now() - WINDOW
    out = []
    for s in standings:
        if s.actual is None:
            continue
        before = await actual(session, ctx, s.measure, s.target.unit_id, end - WINDOW, end)
        if before is None:
            continue
        change, allowed = s.measure.worsened(s.actual, before), margin_of(s)
        if change > allowed + 1e-9:
            out.append(Slip(s, before, change, allowed))
    return out
