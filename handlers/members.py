"""/member NO: a member's card for secretaries (their units) and admins; admins deactivate from it."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from messages import buttons
from messages.buttons import Prefix
from messages.buttons import members as member_buttons
from storage.commands import ADMIN, STAFF
from handlers.session import Turn, handler
from storage import leaving


@handler(roles=STAFF)
async def show(turn: Turn) -> None:
    view = await leaving.card(turn.session, turn.me, " ".join(turn.context.args or []))
    turn.say("member_card", leaving.card_keyboard(turn.lang, view), member=view)


@handler(roles=ADMIN)
async def pressed(turn: Turn) -> None:
    member_id, action = member_buttons.read(turn.query.data)
    if action not in (member_buttons.ASK, member_buttons.CONFIRM, member_buttons.KEEP):
        raise buttons.Forged(turn.query.data)
    member = await leaving.member_for(turn.session, turn.me, member_id)
    if action == member_buttons.ASK:
        turn.edit("member_confirm", leaving.confirm_keyboard(turn.lang, member.id), name=member.name,
                  no=member.employee_no)
    elif action == member_buttons.KEEP:
        turn.edit("member_kept", name=member.name, no=member.employee_no)
    else:
        results = await leaving.deactivate(turn.session, turn.ctx, [member], actor_id=turn.me.id)
        turn.edit("member_deactivated", results=results)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("member", show))
    app.add_handler(CallbackQueryHandler(pressed, pattern=buttons.pattern(Prefix.MEMBER)))
