"""/report [YYYY-MM]: the month's diagnostic report as an Excel file, for a secretary's units (admins: all)."""
from __future__ import annotations

from telegram.ext import Application, CommandHandler

from handlers.session import Turn, handler
from storage import members, report
from storage.commands import STAFF


@handler(roles=STAFF)
async def send(turn: Turn) -> None:
    scope = await members.staff_unit_ids(turn.session, turn.me)
    label, content = await report.workbook(turn.session, turn.ctx, " ".join(turn.context.args or []),
                                           turn.me.language, scope)
    turn.document(turn.t("report_filename", period=label), content, "report_caption", period=label,
                  whole=scope is None)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("report", send))
