"""The member's side of reception days: /reception (days with free slots as buttons), picking a slot and
typing the topic, the waitlist, /mybookings with cancel, and answering a waitlist offer."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from messages import buttons
from messages.buttons import reception as rcp_buttons
from messages.buttons import Prefix
from handlers.dialogs import on_input
from handlers.session import Turn, handler
from storage import dialogs, reception
from storage.errors import Refused
from storage.reception import BOOKED, OFFERED, WAITING, slot_params

TOPIC = "reception_topic"
SLOTS_PER_ROW = 2


def _label(turn: Turn, which: str, **params) -> str:
    return turn.t("reception_button", which=which, **params)


def _day_keyboard(turn: Turn, day: reception.DayView) -> list[list[dict]] | None:
    if not day.open or day.mine is not None:
        return None
    buttons = [rcp_buttons.slot(_label(turn, "slot", starts=s.starts, free=s.free), s.id, rcp_buttons.BOOK)
               if s.free > 0 else
               rcp_buttons.slot(_label(turn, "full", starts=s.starts), s.id, rcp_buttons.WAIT)
               for s in day.slots]
    return [buttons[i:i + SLOTS_PER_ROW] for i in range(0, len(buttons), SLOTS_PER_ROW)] or None


@handler()
async def list_days(turn: Turn) -> None:
    own = await reception.own_days(turn.session, turn.ctx, turn.me)
    for day in own:  # a leader's own agenda comes first
        turn.say("reception_own_day", d=day)
    days = await reception.upcoming_for(turn.session, turn.ctx, turn.me)
    if not days:
        if not own:
            turn.say("reception_none")
        return
    for day in days:
        turn.say("reception_day", _day_keyboard(turn, day), d=day)


def _booking_keyboard(turn: Turn, booking) -> list[list[dict]]:
    which = "leave" if booking.status == WAITING else "cancel"
    return [[rcp_buttons.booking(_label(turn, which), booking.id, rcp_buttons.CANCEL)]]


async def _say_result(turn: Turn, result: reception.BookResult) -> None:
    params = slot_params(turn.ctx, result.slot, result.day, await reception.leader_name(turn.session, result.day))
    template = "reception_booked" if result.booking.status == BOOKED else "reception_waitlisted"
    turn.say(template, _booking_keyboard(turn, result.booking), topic=result.booking.topic,
             position=result.position, **params)


@handler()
async def slot_pressed(turn: Turn) -> None:
    slot_id, action = rcp_buttons.read(turn.query.data)
    if not slot_id.isdigit() or action not in (rcp_buttons.BOOK, rcp_buttons.WAIT):
        turn.toast("button_expired", alert=True)
        return
    choice = await reception.choose(turn.session, turn.ctx, turn.me, int(slot_id))
    params = slot_params(turn.ctx, choice.slot, choice.day, await reception.leader_name(turn.session, choice.day))
    if choice.full and action == rcp_buttons.BOOK:
        wait = rcp_buttons.slot(_label(turn, "wait"), choice.slot.id, rcp_buttons.WAIT)
        turn.say("reception_slot_full", [[wait]], just_filled=False, **params)
        return
    dialog = await dialogs.get(turn.session, turn.me.id)
    kept = dialog.data.get("topic") if dialog and dialog.kind == TOPIC and \
        dialog.data.get("slot_id") == choice.slot.id else None
    if choice.full and kept:
        # The member typed their topic, the slot filled meanwhile and they chose the waitlist: no retyping.
        result = await reception.book(turn.session, turn.ctx, turn.me, choice.slot.id, kept, waitlist=True)
        await dialogs.clear(turn.session, turn.me.id)
        await _say_result(turn, result)
        return
    mode = "wait" if choice.full else "book"
    await dialogs.start(turn.session, turn.ctx, turn.me.id, TOPIC, "topic", {"slot_id": choice.slot.id, "mode": mode})
    turn.say("reception_ask_topic", mode=mode, limit=reception.TOPIC_MAX, **params)


@on_input(TOPIC)
async def topic_typed(turn: Turn, dialog) -> None:
    text = turn.message.text if turn.message else None
    slot_id, waitlist = dialog.data["slot_id"], dialog.data.get("mode") == "wait"
    result = await reception.book_typed(turn.session, turn.ctx, turn.me, slot_id, text, waitlist=waitlist)
    if isinstance(result, Refused):  # the flow is over (the day closed meanwhile, say): tell why
        turn.say(result.template, **result.params)
        return
    if result.full:
        await dialogs.advance(turn.session, turn.ctx, dialog, "full", topic=reception.clean_topic(text))
        params = slot_params(turn.ctx, result.slot, result.day, await reception.leader_name(turn.session, result.day))
        turn.say("reception_slot_full", [[rcp_buttons.slot(_label(turn, "wait"), slot_id, rcp_buttons.WAIT)]],
                 just_filled=True, **params)
        return
    await dialogs.clear(turn.session, turn.me.id)
    await _say_result(turn, result)


@handler()
async def my_bookings(turn: Turn) -> None:
    items = await reception.mine(turn.session, turn.ctx, turn.me)
    if not items:
        turn.say("reception_mybookings_none")
        return
    keyboard = []
    for item in items:
        b = item.booking
        if b.status == OFFERED:
            keyboard.append([
                rcp_buttons.booking(_label(turn, "confirm_at", starts=item.starts), b.id, rcp_buttons.CONFIRM),
                rcp_buttons.booking(_label(turn, "decline"), b.id, rcp_buttons.DECLINE)])
        elif item.can_cancel:
            which = "leave_at" if b.status == WAITING else "cancel_at"
            keyboard.append([rcp_buttons.booking(_label(turn, which, starts=item.starts), b.id, rcp_buttons.CANCEL)])
    turn.say("reception_mybookings", keyboard or None, items=items)


@handler()
async def booking_pressed(turn: Turn) -> None:
    booking_id, action = rcp_buttons.read(turn.query.data)
    if not booking_id.isdigit() or action not in (rcp_buttons.CANCEL, rcp_buttons.CONFIRM, rcp_buttons.DECLINE):
        turn.toast("button_expired", alert=True)
        return
    operation = {"cancel": reception.cancel, "confirm": reception.confirm_offer,
                 "decline": reception.decline_offer}[action]
    booking = await operation(turn.session, turn.ctx, turn.me, int(booking_id))
    slot, day = await reception.slot_and_day(turn.session, booking.slot_id)
    params = slot_params(turn.ctx, slot, day, await reception.leader_name(turn.session, day))
    turn.edit(f"reception_{action}_done", topic=booking.topic, **params)
    turn.toast(f"reception_{action}_done_toast")


def register(app: Application) -> None:
    app.add_handler(CommandHandler("reception", list_days))
    app.add_handler(CommandHandler("mybookings", my_bookings))
    app.add_handler(CallbackQueryHandler(slot_pressed, pattern=buttons.pattern(Prefix.RECEPTION)))
    app.add_handler(CallbackQueryHandler(booking_pressed, pattern=buttons.pattern(Prefix.BOOKING)))
