"""The secretary's side of reception days: /newreception step by step, and recording each meeting's outcome
from the sheet sent after the day (resolved on the spot, turned into a task, or the member did not come)."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from messages import buttons
from messages.buttons import Prefix
from messages.buttons import audience as audience_buttons
from messages.buttons import picker as pick_buttons
from messages.buttons import reception as rcp_buttons
from storage.commands import STAFF
from handlers.dialogs import on_input
from handlers.session import Turn, handler
from storage import calendar, dialogs, picker, reception
from storage.errors import Refused

WIZARD = "reception_new"
OUTCOME = "reception_outcome"
REPEATS = ("once", "monthly", "weekly")


def _label(turn: Turn, which: str, **params) -> str:
    return turn.t("reception_button", which=which, **params)


def _ask(turn: Turn, step: str, data: dict) -> None:
    """The question for a wizard step, with its buttons."""
    keyboard = None
    if step == "audience":
        keyboard = ([[rcp_buttons.wizard(_label(turn, "all"), "new", "all")]]
                    + audience_buttons.choices(turn.lang, everyone=False))
    elif step == "notice":
        keyboard = [[rcp_buttons.wizard(_label(turn, "notice", days=reception.DEFAULT_NOTICE_DAYS), "new", "notice")]]
    elif step == "repeat":
        keyboard = [[rcp_buttons.wizard(_label(turn, r), "new", r) for r in REPEATS]]
    turn.say(f"reception_new_ask_{step}", keyboard, data=data)


@handler(roles=STAFF)
async def new_reception(turn: Turn) -> None:
    await dialogs.start(turn.session, turn.ctx, turn.me.id, WIZARD, "leader", {})
    leaders = await reception.leaders(turn.session)
    labels = await picker.member_label(turn.session, turn.lang, leaders[:picker.MAX_CANDIDATES])
    keyboard = [[pick_buttons.member(label, m.id, "leader")] for label, m in zip(labels, leaders)]
    turn.say("reception_new_ask_leader", keyboard or None, leaders=[(m.employee_no, m.name) for m in leaders])


@on_input(WIZARD, roles=STAFF)
async def wizard_typed(turn: Turn, dialog) -> None:
    step, kept = await reception.answer(turn.session, turn.ctx, dialog.step, turn.text, turn.lang)
    await dialogs.advance(turn.session, turn.ctx, dialog, step, **kept)
    _ask(turn, step, dialog.data)


async def _wizard_pressed(turn: Turn, action: str) -> None:
    dialog = await dialogs.get(turn.session, turn.me.id)
    if dialog is None or dialog.kind != WIZARD:
        raise Refused("button_expired")
    # The buttons stand for typed answers: "all" for who may book, the default notice period.
    typed = {("audience", "all"): "all", ("notice", "notice"): str(reception.DEFAULT_NOTICE_DAYS)}
    if (dialog.step, action) in typed:
        step, kept = await reception.answer(turn.session, turn.ctx, dialog.step, typed[dialog.step, action])
        await dialogs.advance(turn.session, turn.ctx, dialog, step, **kept)
        _ask(turn, step, dialog.data)
        return
    if action in REPEATS and dialog.step == "repeat":
        shifts: list = []  # the series' dates moved off (or skipped as) non-working days
        days = await reception.finish(turn.session, turn.ctx, turn.me.id, dialog.data, action, shifts)
        if isinstance(days, Refused):  # the flow is over; /newreception starts afresh
            turn.toast(days.template, alert=True, **days.params)
            return
        turn.edit("reception_created", days=[(d.day, calendar.local(d.starts_at, turn.ctx),
                                              calendar.local(d.ends_at, turn.ctx)) for d in days],
                  data=dialog.data, repeat=action, shifts=shifts)
        return
    raise Refused("button_expired")


async def _outcome_pressed(turn: Turn, booking_id: int, action: str) -> None:
    if action == rcp_buttons.ABSENT:
        target = await reception.record_absent(turn.session, turn.ctx, turn.me, booking_id)
        turn.toast("reception_outcome_absent_toast")
        turn.say("reception_outcome_recorded", outcome="absent", task=None, **target.params(turn.ctx))
        return
    target = await reception.target(turn.session, turn.ctx, turn.me, booking_id)
    step = "note" if action == rcp_buttons.RESOLVED else "task"
    await dialogs.start(turn.session, turn.ctx, turn.me.id, OUTCOME, step, {"booking_id": booking_id})
    turn.say(f"reception_ask_{step}", **target.params(turn.ctx))


@handler(roles=STAFF)
async def wizard_pressed(turn: Turn) -> None:
    obj, action = rcp_buttons.read(turn.query.data)
    if obj == "new":
        await _wizard_pressed(turn, action)
    elif obj.isdigit() and action in (rcp_buttons.RESOLVED, rcp_buttons.TASK, rcp_buttons.ABSENT):
        await _outcome_pressed(turn, int(obj), action)
    else:
        turn.toast("button_expired", alert=True)


@on_input(OUTCOME)
async def outcome_typed(turn: Turn, dialog) -> None:
    text = turn.message.text if turn.message else ""
    recorded = await reception.record_typed(turn.session, turn.ctx, turn.me, dialog.data["booking_id"],
                                                    dialog.step, text)
    if isinstance(recorded, Refused):  # the flow is over (recorded by someone else meanwhile, say): tell why
        turn.say(recorded.template, **recorded.params)
        return
    target, task = recorded
    turn.say("reception_outcome_recorded", outcome="resolved" if task is None else "task", task=task,
             **target.params(turn.ctx))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("newreception", new_reception))
    app.add_handler(CallbackQueryHandler(wizard_pressed, pattern=buttons.pattern(Prefix.RECEPTION_WIZARD)))
