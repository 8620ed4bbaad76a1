"""Feedback in chat, the office's side: /inbox and the ticket buttons (take, reply, ask, answered, close as
resolved with root cause and measure, close unresolved, attachment, measure to task). Every press is checked
again in `storage.feedback` (role, the ticket's units, its state); the writer is never named here unless
they signed the ticket. A reply (Telegram's) to a ticket's card or notice is a reply to the writer, as
pressing "reply" and typing the text."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers import files
from messages import buttons
from messages.buttons import feedback as fb_buttons
from messages.buttons import Prefix
from storage.commands import STAFF
from handlers.dialogs import on_input, on_reply
from handlers.session import Turn, handler
from storage import dialogs, feedback, picker
from storage.errors import Refused
from storage.feedback import FeedbackTicket


def _btn(turn: Turn, name: str, obj, action: str, **params) -> dict:
    return fb_buttons.office(turn.t("feedback_button", name=name, **params), obj, action)


@handler(roles=STAFF)
async def inbox(turn: Turn) -> None:
    tickets = await feedback.inbox(turn.session, turn.ctx, turn.me)
    if not tickets:
        turn.say("feedback_inbox_empty")
        return
    items = await feedback.inbox_items(turn.session, tickets, turn.lang, feedback.today(turn.ctx))
    keyboard = [[_btn(turn, "open_numbered", t.id, "view", ticket=t.id)] for t in tickets]
    turn.say("feedback_inbox", keyboard, tickets=items)


async def _view(turn: Turn, ticket: FeedbackTicket, note: str = "") -> None:
    view = await feedback.staff_view(turn.session, ticket, turn.lang)
    turn.edit("feedback_ticket_staff", feedback.staff_keyboard(turn.lang, ticket) or None, note=note, **view)
    if view["long"]:
        turn.document(f"feedback-{ticket.id}.txt", ticket.text.encode("utf-8"), "feedback_body_caption",
                      ticket=ticket.id)


def _skip_keyboard(turn: Turn, step: feedback.Step):
    return [[_btn(turn, "skip", step.ticket.id, "skip")]] if step.optional else None


def _pdca_prompt(turn: Turn, step: feedback.Step) -> None:
    if step.next is None:
        keyboard = [[_btn(turn, "to_task", step.ticket.id, "task")]] if step.ticket.measure else None
        turn.say("feedback_pdca_done", keyboard, ticket=step.ticket.id)
    else:
        turn.say("feedback_pdca_prompt", _skip_keyboard(turn, step), ticket=step.ticket.id, step=step.next,
                 optional=step.optional)


@handler(roles=STAFF)
async def pressed(turn: Turn) -> None:
    ticket_id, action = fb_buttons.read(turn.query.data)
    s, ctx, me = turn.session, turn.ctx, turn.me
    if not ticket_id:
        turn.toast("button_expired", alert=True)
    elif action == "view":
        await _view(turn, await feedback.staff_ticket(s, me, ticket_id))
    elif action == "take":
        ticket = await feedback.take(s, ctx, me, ticket_id)
        turn.toast("feedback_taken", ticket=ticket.id)
        await _view(turn, ticket)
    elif action in ("reply", "ask"):
        ticket = await feedback.office_start(s, ctx, me, ticket_id, question=action == "ask")
        turn.toast("feedback_thread_toast")
        turn.say("feedback_office_prompt", ticket=ticket.id, question=action == "ask")
    elif action == "answered":
        ticket = await feedback.mark_answered(s, ctx, me, ticket_id)
        await _view(turn, ticket, note="answered")
    elif action == "resolve":
        step = await feedback.pdca_start(s, ctx, me, ticket_id)
        turn.toast("feedback_thread_toast")
        _pdca_prompt(turn, step)
    elif action == "skip":
        dialog = await feedback.pdca_dialog(s, me, ticket_id)
        _pdca_prompt(turn, await feedback.pdca_input(s, ctx, me, dialog, None))
    elif action == "close":
        ticket = await feedback.close_start(s, ctx, me, ticket_id)
        turn.toast("feedback_thread_toast")
        turn.say("feedback_close_ask_reason", ticket=ticket.id)
    elif action == "closeok":
        await _view(turn, await feedback.close_confirm(s, ctx, me, ticket_id), note="unresolved")
    elif action == "closeno":
        await feedback.close_cancel(s, me)
        turn.edit("feedback_close_kept", ticket=ticket_id)
    elif action == "file":
        ticket = await feedback.staff_ticket(s, me, ticket_id)
        if not ticket.attachment_file_id:
            turn.toast("button_expired", alert=True)
            return
        content = await files.bytes_of(turn, ticket.attachment_file_id)
        turn.document(ticket.attachment_name or "attachment", content, "feedback_attachment_caption",
                      ticket=ticket.id)
    elif action == "task":
        step = await feedback.task_start(s, ctx, me, ticket_id)
        turn.say("feedback_task_prompt", ticket=step.ticket.id, step=step.next)
    else:
        turn.toast("button_expired", alert=True)


@on_input(feedback.OFFICE, roles=STAFF)
async def office_text(turn: Turn, dialog) -> None:
    ticket, question = await feedback.office_input(turn.session, turn.ctx, turn.me, dialog, turn.message.text or "")
    turn.say("feedback_office_sent", [[_btn(turn, "open", ticket.id, "view")]], ticket=ticket.id,
             question=question)


@on_reply(Prefix.INBOX)
async def replied(turn: Turn, ticket_id: str, action: str) -> bool:
    """A reply to a ticket's card (or its notice): the reply button, then the text; staff only."""
    if not ticket_id:
        return False
    if not turn.me.has_role(*STAFF):
        raise Refused("not_allowed")
    await feedback.office_start(turn.session, turn.ctx, turn.me, ticket_id, question=False)
    await office_text(turn, await dialogs.get(turn.session, turn.me.id))
    return True


@on_input(feedback.CLOSE, roles=STAFF)
async def close_text(turn: Turn, dialog) -> None:
    ticket, reason = await feedback.close_input(turn.session, turn.ctx, turn.me, dialog, turn.message.text)
    keyboard = [[_btn(turn, "close_confirm", ticket.id, "closeok"), _btn(turn, "close_cancel", ticket.id, "closeno")]]
    turn.say("feedback_close_confirm", keyboard, ticket=ticket.id, reason=reason)


@on_input(feedback.PDCA, roles=STAFF)
async def pdca_text(turn: Turn, dialog) -> None:
    _pdca_prompt(turn, await feedback.pdca_input(turn.session, turn.ctx, turn.me, dialog, turn.message.text or ""))


@on_input(feedback.TASK, roles=STAFF)
async def task_text(turn: Turn, dialog) -> None:
    step = await feedback.task_input(turn.session, turn.ctx, turn.me, dialog, turn.text)
    if step.next is None:
        turn.say("feedback_task_created", ticket=step.ticket.id, task=step.task.task_no)
    else:
        keyboard = await picker.unit_keyboard(turn.session, turn.lang, "unit") if step.next == "unit" else None
        turn.say("feedback_task_prompt", keyboard, ticket=step.ticket.id, step=step.next)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("inbox", inbox))
    app.add_handler(CallbackQueryHandler(pressed, pattern=buttons.pattern(Prefix.INBOX)))
