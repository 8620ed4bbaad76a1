"""An admin sends the roster as `.csv`/`.xlsx` with the caption /roster; the invite codes come back as a sheet."""
from __future__ import annotations

from telegram.ext import Application, CommandHandler, MessageHandler, filters

from handlers import files
from storage.commands import ADMIN, enqueue_menus
from handlers.session import Turn, handler
from storage import roster


@handler(roles=ADMIN)
async def roster_file(turn: Turn) -> None:
    entries = await files.table_from(turn, roster.check)
    if entries is None:
        turn.say("roster_howto")
        return
    result = await roster.apply(turn.session, turn.ctx, entries, actor_id=turn.me.id)
    await enqueue_menus(turn.session, turn.ctx, result.relinked_member_ids)
    turn.say("roster_imported", created=result.created, updated=result.updated,
             invited=len(result.invitations))
    if result.invitations:
        turn.document("invite_codes.csv", roster.codes_csv(result.invitations), "roster_codes_caption",
                      count=len(result.invitations))


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.Document.ALL & filters.CaptionRegex(r"^/roster(@\w+)?\b"), roster_file))
    app.add_handler(CommandHandler("roster", roster_file))
