"""/template roster|tasks|survey: the blank sheet of an import, with its headers and an example row."""
from __future__ import annotations

from telegram.ext import Application, CommandHandler

from storage.commands import STAFF
from handlers.session import Turn, handler
from storage import sheets


@handler(roles=STAFF)
async def send_template(turn: Turn) -> None:
    name = sheets.canonical(" ".join(turn.context.args or []))
    filename, content = sheets.template(turn.lang, name)
    turn.document(filename, content, "sheet_template_caption", name=name)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("template", send_template))
