"""/kpi [YYYY-MM]: the month's figures for a secretary's units (admins: the whole organisation), with two
pictures: each indicator's last six months against its target, and the units side by side."""
from __future__ import annotations

from telegram.ext import Application, CommandHandler

from storage.commands import STAFF
from handlers.session import Turn, handler
from storage import kpi, members, report, targets


@handler(roles=STAFF)
async def show(turn: Turn) -> None:
    label, _, _ = kpi.period_bounds(" ".join(turn.context.args or []), turn.ctx)
    scope = await members.staff_unit_ids(turn.session, turn.me)
    # The pictures first, so the board's text (and its targets) is what the chat shows last.
    drawn, trend, side_by_side = await report.board_charts(turn.session, turn.ctx, label, turn.me.language, scope)
    turn.photo(trend, "kpi_chart_caption", kind="trend", period=label, key=[])
    turn.photo(side_by_side, "kpi_chart_caption", kind="units", period=label, key=report.unit_key(drawn))
    turn.say("kpi_board", period=label, whole=scope is None, board=drawn.board)  # the figures drawn

    measured = await targets.period_standings(turn.session, turn.ctx, scope, label)
    if measured:
        lang = turn.me.language
        turn.say("kpi_targets", period=label, items=[targets.period_view(s, before, lang) for s, before in measured])


def register(app: Application) -> None:
    app.add_handler(CommandHandler("kpi", show))
