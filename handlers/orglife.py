"""Organisational life in the chat: /newmeeting for branch secretaries, the invitation's buttons (attend, ask
for leave with a typed reason, check in; for the host the check-in code and opening check-in), `/checkin CODE`
and /orglife, a branch's year at a glance. Every press is checked again in storage (audience, window, host)."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers.dialogs import on_input
from handlers.session import Turn, handler
from messages import buttons
from messages.buttons import Prefix, button
from storage import dialogs, orglife, units
from storage.commands import STAFF
from storage.errors import Refused

LEAVE = "orglife_leave"
MINUTES = "orglife_minutes"
MEMBER_ACTIONS = ("attend", "leave", "checkin", "code", "open", "minutes")


def _label(turn: Turn, which: str, **params) -> str:
    return turn.t("orglife_button", which=which, **params)


def _ask(turn: Turn, step: str, data: dict) -> None:
    keyboard = None
    if step == "kind":
        keyboard = [[button(kind, Prefix.ORGLIFE, "new", f"k{i}") for i, kind in enumerate(orglife.KINDS)]]
    elif step == "host":
        keyboard = [[button(_label(turn, "me"), Prefix.ORGLIFE, "new", "me")]]
    turn.say(f"orglife_new_ask_{step}", keyboard, data=data)


@handler(roles=STAFF)
async def new_meeting(turn: Turn) -> None:
    branch = await orglife.begin(turn.session, turn.ctx, turn.me)
    turn.say("orglife_new_start", branch=branch)
    _ask(turn, "kind", {})


async def _advance(turn: Turn, dialog, text: str) -> None:
    step, kept = await orglife.answer(turn.session, turn.ctx, dialog.step, text)
    await dialogs.advance(turn.session, turn.ctx, dialog, step, **kept)
    if step != "done":
        _ask(turn, step, dialog.data)
        return
    made = await orglife.finish(turn.session, turn.ctx, turn.me, dialog.data)
    if isinstance(made, Refused):  # the flow is over; /newmeeting starts afresh
        turn.say(made.template, **made.params)
        return
    meeting, invited = made
    turn.say("orglife_planned", invited=invited,
             **orglife.view(turn.ctx, meeting, units.leaf_name(dialog.data["branch"]),
                            None) | {"host": await orglife.host_name(turn.session, meeting)})


@on_input(orglife.KIND, roles=STAFF)
async def wizard_typed(turn: Turn, dialog) -> None:
    await _advance(turn, dialog, (turn.message.text if turn.message else "") or "")


@handler(roles=STAFF)
async def wizard_pressed(turn: Turn) -> None:
    _, _, action = buttons.parse(turn.query.data)
    dialog = await dialogs.get(turn.session, turn.me.id)
    if dialog is None or dialog.kind != orglife.KIND:
        raise Refused("button_expired")
    if dialog.step == "kind" and action[:1] == "k" and action[1:].isdigit() and int(action[1:]) < len(orglife.KINDS):
        await _advance(turn, dialog, orglife.KINDS[int(action[1:])])
    elif dialog.step == "host" and action == "me":
        await _advance(turn, dialog, turn.me.employee_no)
    else:
        raise Refused("button_expired")


@handler()
async def meeting_pressed(turn: Turn) -> None:
    _, obj, action = buttons.parse(turn.query.data)
    if not obj.isdigit() or action not in MEMBER_ACTIONS:
        turn.toast("button_expired", alert=True)
        return
    meeting_id = int(obj)
    if action == "attend":
        meeting = await orglife.attend(turn.session, turn.ctx, turn.me, meeting_id)
        turn.toast("orglife_answered", answer="attend", kind=meeting.kind, topic=meeting.topic)
    elif action == "leave":
        meeting = await orglife.may_ask_leave(turn.session, turn.ctx, turn.me, meeting_id)
        await dialogs.start(turn.session, turn.ctx, turn.me.id, LEAVE, "reason", {"meeting_id": meeting_id})
        turn.say("orglife_ask_reason", kind=meeting.kind, topic=meeting.topic)
    elif action == "checkin":
        meeting = await orglife.checkin_button(turn.session, turn.ctx, turn.me, meeting_id)
        turn.toast("orglife_checked_in", kind=meeting.kind, topic=meeting.topic)
    elif action == "code":
        meeting, code = await orglife.show_code(turn.session, turn.ctx, turn.me, meeting_id)
        turn.say("orglife_code", code=code, kind=meeting.kind, topic=meeting.topic)
    elif action == "minutes":
        meeting = await orglife.may_send_minutes(turn.session, turn.ctx, turn.me, meeting_id)
        await dialogs.start(turn.session, turn.ctx, turn.me.id, MINUTES, "minutes", {"meeting_id": meeting_id})
        turn.say("orglife_ask_minutes", kind=meeting.kind, topic=meeting.topic)
    else:
        meeting = await orglife.open_checkin(turn.session, turn.ctx, turn.me, meeting_id)
        turn.toast("orglife_checkin_opened", kind=meeting.kind)


@on_input(LEAVE)
async def reason_typed(turn: Turn, dialog) -> None:
    text = turn.message.text if turn.message else None
    meeting = await orglife.ask_leave(turn.session, turn.ctx, turn.me, dialog.data["meeting_id"], text)
    await dialogs.clear(turn.session, turn.me.id)
    turn.say("orglife_answered", answer="leave", kind=meeting.kind, topic=meeting.topic)


@on_input(MINUTES)
async def minutes_sent(turn: Turn, dialog) -> None:
    message = turn.message
    document = message.document if message else None
    text = (message.text or message.caption) if message else None
    meeting = await orglife.record_minutes(turn.session, turn.ctx, turn.me, dialog.data["meeting_id"], text=text,
                                           file_id=document.file_id if document else None,
                                           file_name=document.file_name if document else None)
    await dialogs.clear(turn.session, turn.me.id)
    turn.say("orglife_minutes_recorded", kind=meeting.kind, topic=meeting.topic)


@handler()
async def checkin(turn: Turn) -> None:
    args = turn.context.args or []
    if not args:
        raise Refused("orglife_checkin_usage")
    meeting = await orglife.checkin_code(turn.session, turn.ctx, turn.me, args[0])
    turn.say("orglife_checked_in", kind=meeting.kind, topic=meeting.topic)


@handler(roles=STAFF)
async def year(turn: Turn) -> None:
    branch = await orglife.own_branch(turn.session, turn.me)
    today = turn.ctx.local_now().date()
    rows = await orglife.year_view(turn.session, turn.ctx, branch, today.year)
    turn.say("orglife_year", branch=branch.name, year=today.year, rows=rows)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("newmeeting", new_meeting))
    app.add_handler(CommandHandler("checkin", checkin))
    app.add_handler(CommandHandler("orglife", year))
    app.add_handler(CallbackQueryHandler(wizard_pressed, pattern=rf"^{Prefix.ORGLIFE.value}:new:"))
    app.add_handler(CallbackQueryHandler(meeting_pressed, pattern=buttons.pattern(Prefix.ORGLIFE)))
