"""/member NO|NAME: a member's card and file (一人一档) for secretaries (their units) and admins; admins
deactivate from it. /me: one's own file, with the choice to be named on the branch's points board."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from messages import buttons
from messages.buttons import Prefix
from messages.buttons import members as member_buttons
from storage.commands import STAFF
from handlers.session import Turn, handler
from storage import leaving, lessons, memberfile
from storage.models.org import Member


async def say_card(turn: Turn, member: Member) -> None:
    view = await leaving.card_of(turn.session, turn.me, member)
    file = await memberfile.build(turn.session, turn.ctx, member, turn.lang)
    turn.say("member_card", leaving.card_keyboard(turn.lang, view), member=view, file=file)


async def say_me(turn: Turn, edit: bool = False) -> None:
    named = await lessons.board_named(turn.session, turn.me.id)
    file = await memberfile.build(turn.session, turn.ctx, turn.me, turn.lang)
    action = member_buttons.NAME_OFF if named else member_buttons.NAME_ON
    keyboard = [[member_buttons.member(turn.t("member_me_button", named=named), turn.me.id, action)]]
    (turn.edit if edit else turn.say)("member_me", keyboard, file=file, named=named)


@handler(roles=STAFF)
async def show(turn: Turn) -> None:
    member = await memberfile.resolve(turn.session, turn.me, turn.lang, " ".join(turn.context.args or []))
    await say_card(turn, member)


@handler()
async def me(turn: Turn) -> None:
    await say_me(turn)


@handler()
async def pressed(turn: Turn) -> None:
    member_id, action = member_buttons.read(turn.query.data)
    if action == member_buttons.SHOW:
        await say_card(turn, await memberfile.by_id(turn.session, turn.me, member_id))
        return
    if action in (member_buttons.NAME_ON, member_buttons.NAME_OFF):
        if member_id != str(turn.me.id):  # one's own choice only
            raise buttons.Forged(turn.query.data)
        await lessons.set_board_named(turn.session, turn.ctx, turn.me, action == member_buttons.NAME_ON)
        await say_me(turn, edit=True)
        return
    if action not in (member_buttons.ASK, member_buttons.CONFIRM, member_buttons.KEEP):
        raise buttons.Forged(turn.query.data)
    member = await leaving.member_for(turn.session, turn.me, member_id)  # admins only, re-checked
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
    app.add_handler(CommandHandler("me", me))
    app.add_handler(CallbackQueryHandler(pressed, pattern=buttons.pattern(Prefix.MEMBER)))
