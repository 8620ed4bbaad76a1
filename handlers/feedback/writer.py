"""Feedback in chat, the writer's side: /feedback (category, text and attachment, anonymous or signed),
/mytickets, and the ticket buttons (answer back, resolved, reopen, rate). Rules live in `storage.feedback`;
ownership is checked there on every press through the sealed route. A reply (Telegram's) to a message about
one's ticket is an answer back: the ticket is read from that message's own buttons, so nothing new is stored
that could tie this chat to an anonymous ticket; it goes through the same sealed route as the button."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from messages import buttons
from messages.buttons import feedback as fb_buttons
from messages.buttons import Prefix
from handlers.dialogs import on_input, on_reply
from handlers.session import Turn, handler
from storage import dialogs, feedback
from storage.feedback import FeedbackTicket

NEW = fb_buttons.NEW
LIST_LIMIT = 10


def _btn(turn: Turn, name: str, obj, action: str, **params) -> dict:
    return fb_buttons.writer(turn.t("feedback_button", name=name, **params), obj, action)


def attachment_of(turn: Turn) -> dict | None:
    """A photo (largest size) or a document sent with the message, by Telegram file id only."""
    msg = turn.message
    if msg is None:
        return None
    if msg.photo:
        return {"kind": "photo", "file_id": msg.photo[-1].file_id, "name": "photo.jpg"}
    if msg.document:
        return {"kind": "document", "file_id": msg.document.file_id, "name": msg.document.file_name or "file"}
    return None


def text_of(turn: Turn) -> str:
    msg = turn.message
    return (msg.text or msg.caption or "") if msg else ""


# --- submitting ----------------------------------------------------------------------------------------

@handler()
async def start(turn: Turn) -> None:
    cfg = await feedback.start(turn.session, turn.ctx, turn.me)
    names = [(key, feedback.category_name(cfg, turn.lang, key)) for key in cfg.categories]
    keyboard = [[fb_buttons.writer(name, NEW, fb_buttons.category(key)) for key, name in names[i:i + 2]]
                for i in range(0, len(names), 2)]
    keyboard.append([_btn(turn, "cancel", NEW, "cancel")])
    turn.say("feedback_choose_category", keyboard, limit=cfg.daily_limit)


@on_input(feedback.DRAFT)
async def composing(turn: Turn, dialog) -> None:
    draft = await feedback.draft_input(turn.session, turn.ctx, turn.me, dialog, text=text_of(turn),
                                    attachment=attachment_of(turn))
    if not draft.get("text"):
        turn.say("feedback_ask_text", attached=bool(draft.get("attachment")), category="")
        return
    facts = await feedback.confirmation(turn.session, turn.me, draft, turn.lang)
    keyboard = [[_btn(turn, "submit_anonymous", NEW, "anon")]]
    if facts["unit"]:
        keyboard.append([_btn(turn, "submit_anonymous_unit", NEW, "anonunit", unit=facts["unit"])])
    keyboard.append([_btn(turn, "submit_named", NEW, "named"), _btn(turn, "cancel", NEW, "cancel")])
    turn.say("feedback_confirm", keyboard, **facts)


async def _new_step(turn: Turn, action: str) -> None:
    key = fb_buttons.read_category(action)
    if key is not None:
        cfg = await feedback.load_config(turn.session)
        await feedback.draft_start(turn.session, turn.ctx, turn.me, key)
        turn.edit("feedback_ask_text", category=feedback.category_name(cfg, turn.lang, key), attached=False)
    elif action in ("anon", "anonunit", "named"):
        ticket = await feedback.draft_submit(turn.session, turn.ctx, turn.me, anonymous=action != "named",
                                             show_unit=action == "anonunit")
        turn.edit("feedback_submitted", ticket=ticket.id, anonymous=ticket.anonymous,
                  **await feedback.disclosure(turn.session, ticket))
    elif action == "cancel":
        await feedback.draft_cancel(turn.session, turn.me)
        turn.edit("feedback_cancelled")
    else:
        turn.toast("button_expired", alert=True)


# --- following a ticket --------------------------------------------------------------------------------

@handler()
async def my_tickets(turn: Turn) -> None:
    tickets = await feedback.my_tickets(turn.session, turn.ctx, turn.me)
    if not tickets:
        turn.say("feedback_mytickets_empty")
        return
    shown = tickets[:LIST_LIMIT]
    items = await feedback.mytickets_items(turn.session, shown, turn.lang)
    keyboard = [[_btn(turn, "view", t.id, "view", ticket=t.id)] for t in shown]
    turn.say("feedback_mytickets", keyboard, tickets=items, total=len(tickets))


async def _view(turn: Turn, ticket: FeedbackTicket, note: str = "") -> None:
    view = await feedback.writer_view(turn.session, ticket, turn.lang)
    turn.edit("feedback_ticket_writer", feedback.writer_keyboard(turn.lang, ticket, view["rateable"]) or None,
              note=note, **view)


async def _ticket_step(turn: Turn, ticket_id: str, action: str) -> None:
    s, ctx, me = turn.session, turn.ctx, turn.me
    if action == "view":
        await _view(turn, await feedback.writer_ticket(s, ctx, me, ticket_id))
    elif action == "reply":
        ticket = await feedback.thread_start(s, ctx, me, ticket_id)
        turn.toast("feedback_thread_toast")
        turn.say("feedback_thread_prompt", ticket=ticket.id)
    elif action == "resolve":
        await _view(turn, await feedback.writer_resolve(s, ctx, me, ticket_id), note="resolved")
    elif action == "reopen":
        await _view(turn, await feedback.writer_reopen(s, ctx, me, ticket_id), note="reopened")
    elif fb_buttons.read_rate(action) is not None:
        ticket = await feedback.rate(s, ctx, me, ticket_id, fb_buttons.read_rate(action))
        turn.toast("feedback_rated", rating=ticket.rating)
        await _view(turn, ticket)
    else:
        turn.toast("button_expired", alert=True)


@on_input(feedback.THREAD)
async def answering(turn: Turn, dialog) -> None:
    ticket = await feedback.thread_input(turn.session, turn.ctx, turn.me, dialog, text_of(turn),
                                      with_attachment=attachment_of(turn) is not None)
    turn.say("feedback_thread_sent", [[_btn(turn, "view", ticket.id, "view", ticket=ticket.id)]], ticket=ticket.id)


@on_reply(Prefix.FEEDBACK)
async def replied(turn: Turn, ticket_id: str, action: str) -> bool:
    """A reply to a message about one's ticket: as pressing "answer back" and typing the text."""
    if not ticket_id or ticket_id == NEW:
        return False
    await feedback.thread_start(turn.session, turn.ctx, turn.me, ticket_id)
    await answering(turn, await dialogs.get(turn.session, turn.me.id))
    return True


@handler()
async def pressed(turn: Turn) -> None:
    obj, action = fb_buttons.read(turn.query.data)
    if obj == NEW:
        await _new_step(turn, action)
    elif obj:
        await _ticket_step(turn, obj, action)
    else:
        turn.toast("button_expired", alert=True)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("feedback", start))
    app.add_handler(CommandHandler("mytickets", my_tickets))
    app.add_handler(CallbackQueryHandler(pressed, pattern=buttons.pattern(Prefix.FEEDBACK)))
