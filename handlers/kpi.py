"""/kpi [YYYY-MM]: the month's figures for a secretary's units (admins: the whole organisation)."""
from __future__ import annotations

from telegram.ext import Application, CommandHandler

from storage.commands import STAFF
from handlers.session import Turn, handler
from storage import kpi, members, targets


@handler(roles=STAFF)
async def show(turn: Turn) -> None:
    label, start, end = kpi.period_bounds(" ".join(turn.context.args or []), turn.ctx)
    scope = await members.staff_unit_ids(turn.session, turn.me)
    board = await kpi.collect(turn.session, turn.ctx, unit_ids=scope, start=start, end=end)
    turn.say("kpi_board", period=label, whole=scope is None, board=board)
    measured = await targets.period_standings(turn.session, turn.ctx, scope, label)
    if measured:
        lang = turn.me.language
        turn.say("kpi_targets", period=label, items=[targets.period_view(s, before, lang) for s, before in measured])


def register(app: Application) -> None:
    app.add_handler(CommandHandler("kpi", show))
