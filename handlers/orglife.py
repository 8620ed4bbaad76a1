"""Organisational life in the chat: /newmeeting for branch secretaries and admins, the invitation's buttons
(attend, ask for leave with a typed reason, check in: the invitation is edited to show the answer; for the host
the check-in code, opening check-in and the replies so far, which the branch secretary sees too), `/checkin CODE`,
the host's attendance card (each invitee present / on leave / absent) and /orglife, a branch's year at a glance
(admins name or choose the branch). Every press is checked again in storage (audience, window, host)."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

import math

from handlers.dialogs import on_input
from handlers.session import Turn, handler
from messages import buttons
from messages.buttons import Prefix, button
from messages.buttons import orglife as orglife_buttons
from storage import dialogs, orglife, units
from storage.commands import STAFF
from storage.errors import Refused

LEAVE = "orglife_leave"
MINUTES = "orglife_minutes"
MEMBER_ACTIONS = ("attend", "leave", "checkin", "code", "open", "minutes", "replies")
CARD_PAGE = 8  # invitees per page of the attendance card (three buttons each)
YEAR_BUTTONS = 48


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
    branch, choices = await orglife.begin(turn.session, turn.ctx, turn.me, turn.lang)
    if branch is None:  # an admin, or a secretary of several branches: which one first
        turn.say("orglife_new_ask_branch", choices)
        return
    turn.say("orglife_new_start", branch=branch)
    _ask(turn, "kind", {})


async def _advance(turn: Turn, dialog, text: str) -> None:
    step, kept = await orglife.answer(turn.session, turn.ctx, dialog.step, text, turn.lang, turn.me)
    await dialogs.advance(turn.session, turn.ctx, dialog, step, **kept)
    if step == "kind":  # the branch was chosen
        turn.say("orglife_new_start", branch=units.leaf_name(dialog.data["branch"]))
    if step != "done":
        _ask(turn, step, dialog.data)
        return
    made = await orglife.finish(turn.session, turn.ctx, turn.me, dialog.data)
    if isinstance(made, Refused):  # the flow is over; /newmeeting starts afresh
        turn.say(made.template, **made.params)
        return
    meeting, invited = made
    turn.say("orglife_planned", [[button(_label(turn, "replies"), Prefix.ORGLIFE, meeting.id, "replies")]],
             invited=invited,
             **orglife.view(turn.ctx, meeting, units.leaf_name(dialog.data["branch"]),
                            None) | {"host": await orglife.host_name(turn.session, meeting)})


@on_input(orglife.KIND, roles=STAFF)
async def wizard_typed(turn: Turn, dialog) -> None:
    await _advance(turn, dialog, turn.text)


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
    card = orglife_buttons.read_card(action)
    if obj.isdigit() and card is not None:
        await _card_pressed(turn, int(obj), *card)
        return
    if not obj.isdigit() or action not in MEMBER_ACTIONS:
        turn.toast("button_expired", alert=True)
        return
    meeting_id = int(obj)
    if action == "attend":
        meeting = await orglife.attend(turn.session, turn.ctx, turn.me, meeting_id)
        turn.toast("orglife_answered", answer="attend", kind=meeting.kind, topic=meeting.topic)
        params, keyboard = await orglife.card_of(turn.session, turn.ctx, meeting_id, turn.me)
        turn.edit("orglife_invitation", keyboard, **params)
    elif action == "leave":
        meeting = await orglife.may_ask_leave(turn.session, turn.ctx, turn.me, meeting_id)
        invitation = turn.query.message.message_id if turn.query.message else None  # edited once the reason comes
        await dialogs.start(turn.session, turn.ctx, turn.me.id, LEAVE, "reason",
                            {"meeting_id": meeting_id, "message_id": invitation})
        turn.say("orglife_ask_reason", kind=meeting.kind, topic=meeting.topic)
    elif action == "replies":
        turn.say("orglife_replies", **await orglife.replies(turn.session, turn.ctx, turn.me, meeting_id))
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


async def _card_pressed(turn: Turn, meeting_id: int, page: int, member_id: int | None, status: str | None) -> None:
    """The attendance card: opened (a new message), a page turned or one invitee marked (the card edited)."""
    if member_id is not None:
        _, member = await orglife.correct(turn.session, turn.ctx, turn.me, meeting_id, None, status,
                                          member_id=member_id)
        turn.toast("orglife_corrected", name=member.name, status=status)
    meeting, branch, people = await orglife.roll(turn.session, turn.ctx, turn.me, meeting_id)
    pages = max(1, math.ceil(len(people) / CARD_PAGE))
    page = min(page, pages - 1)
    shown = people[page * CARD_PAGE:(page + 1) * CARD_PAGE]
    keyboard = [[orglife_buttons.mark(_label(turn, f"mark_{s}", name=p["name"], current=p["status"] == s), meeting.id,
                                      p["id"], s, page) for s in orglife.STATUSES] for p in shown]
    nav = ([orglife_buttons.page(_label(turn, "prev"), meeting.id, page - 1)] if page > 0 else []) + \
          ([orglife_buttons.page(_label(turn, "next"), meeting.id, page + 1)] if page < pages - 1 else [])
    if nav:
        keyboard.append(nav)
    reply = turn.say if member_id is None and turn.query.data.endswith(orglife_buttons.ROLL) else turn.edit
    reply("orglife_roll", keyboard, people=people, shown=shown, page=page, pages=pages,
          **orglife.view(turn.ctx, meeting, branch, None))


@on_input(LEAVE)
async def reason_typed(turn: Turn, dialog) -> None:
    text = turn.message.text if turn.message else None
    meeting = await orglife.ask_leave(turn.session, turn.ctx, turn.me, dialog.data["meeting_id"], text)
    await dialogs.clear(turn.session, turn.me.id)
    turn.say("orglife_answered", answer="leave", kind=meeting.kind, topic=meeting.topic)
    if dialog.data.get("message_id"):
        params, keyboard = await orglife.card_of(turn.session, turn.ctx, meeting.id, turn.me)
        turn.edit_message(dialog.data["message_id"], "orglife_invitation", keyboard, **params)


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


async def _show_year(turn: Turn, branch) -> None:
    today = turn.ctx.local_now().date()
    rows = await orglife.year_view(turn.session, turn.ctx, branch, today.year)
    turn.say("orglife_year", branch=branch.name, year=today.year, rows=rows)


@handler(roles=STAFF)
async def year(turn: Turn) -> None:
    """`/orglife [branch]`: a secretary's own branch, or the one named; several to choose from are buttons."""
    branch = await orglife.year_branch(turn.session, turn.me, " ".join(turn.context.args or []))
    if branch is not None:
        await _show_year(turn, branch)
        return
    choices = [orglife_buttons.year(b.name, b.id)
               for b in (await orglife.year_branches(turn.session, turn.me))[:YEAR_BUTTONS]]
    turn.say("orglife_year_choose", [choices[i:i + 3] for i in range(0, len(choices), 3)])


@handler(roles=STAFF)
async def year_pressed(turn: Turn) -> None:
    _, _, action = buttons.parse(turn.query.data)
    if not action.isdigit():
        raise Refused("button_expired")
    await _show_year(turn, await orglife.year_branch(turn.session, turn.me, unit_id=int(action)))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("newmeeting", new_meeting))
    app.add_handler(CommandHandler("checkin", checkin))
    app.add_handler(CommandHandler("orglife", year))
    app.add_handler(CallbackQueryHandler(wizard_pressed, pattern=rf"^{Prefix.ORGLIFE.value}:new:"))
    app.add_handler(CallbackQueryHandler(year_pressed, pattern=rf"^{Prefix.ORGLIFE.value}:{orglife_buttons.YEAR}:"))
    app.add_handler(CallbackQueryHandler(meeting_pressed, pattern=buttons.pattern(Prefix.ORGLIFE)))
