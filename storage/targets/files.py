"""`targets import FILE`: one target a row, with Chinese headers (指标, 单位, 目标值, 完成日期, and optionally
变差幅度: the margin for "worse than the period before")."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.tabular import CHAT, Limits, Row, read_table
from storage.targets.models import Target
from storage.targets.rules import set_target

COLUMNS = {
    "key": ("指标", "指标代码", "indicator"),
    "unit": ("单位", "范围", "部门", "支部", "unit"),
    "value": ("目标值", "目标", "value"),
    "by": ("完成日期", "期限", "截止日期", "by", "date"),
    "margin": ("变差幅度", "预警幅度", "margin"),
}
REQUIRED = ("key", "unit", "value", "by")


def read(data: bytes, filename: str, limits: Limits = CHAT) -> list[Row]:
    """The sheet's rows, touching no database (run it through tabular.read_off_loop)."""
    return read_table(data, filename, COLUMNS, REQUIRED, limits)


async def import_rows(session: AsyncSession, ctx: Context, rows: list[Row], set_by: Member | None = None
                      ) -> list[Target]:
    """Set every row's target; a refused row refuses the whole file (the caller's transaction rolls back)."""
    out = []
    for row in rows:
        try:
            out.append(await set_target(session, ctx, key=row.text("key"), unit=row.text("unit"),
                                        value=row.text("value"), by=row.values.get("by"), set_by=set_by,
                                        margin=row.text("margin")))
        except Refused as exc:
            raise Refused("targets_import_row", row=row.number, reason=exc.template, **exc.params) from None
    return out
