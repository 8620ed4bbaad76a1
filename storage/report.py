"""The monthly report as an Excel workbook: the KPI board for the whole organisation and for each unit."""
from __future__ import annotations

from sqlalchemy import select

from storage import exports, kpi, units
from storage.context import Context
from storage.models.org import Unit


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


async def workbook(session, ctx: Context, period: str | None) -> tuple[str, bytes]:
    label, start, end = kpi.period_bounds(period, ctx)
    whole = _flatten(await kpi.collect(session, ctx, unit_ids=None, start=start, end=end))
    wb = exports.XlsxWriter()
    ws = wb.sheet("organisation")
    ws.append(["period", label])
    ws.append(["indicator", "value"], bold=True)
    for key, value in whole.items():
        ws.append([key, value])
    ws.widths({"A": 36})

    per_unit = wb.sheet("units")
    keys = list(whole)
    per_unit.append(["kind", "unit", *keys], bold=True)
    for unit in (await session.execute(select(Unit).order_by(Unit.kind, Unit.path))).scalars():
        scope = await units.subtree_ids(session, {unit.id})
        row = _flatten(await kpi.collect(session, ctx, unit_ids=scope, start=start, end=end))
        per_unit.append([unit.kind, unit.path, *[row.get(k) for k in keys]])
    return label, wb.to_bytes()
