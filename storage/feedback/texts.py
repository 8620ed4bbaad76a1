"""How feedback texts fit Telegram: excerpts that stay within a size once HTML-escaped, long texts that
travel as a file after an excerpt, and the ticket keyboards for each side and state.
"""
from __future__ import annotations

from messages.buttons import Prefix, button
from messages import render
from storage import outbox
from storage.feedback.models import ANSWERED, CLOSED_STATES, LIVE_STATES, RESOLVED, FeedbackTicket

MESSAGE_LIMIT = 4096
EXCERPT = 500

_ESCAPED = {"&": 5, "<": 4, ">": 4, '"': 5, "'": 5}


def size(text: str) -> int:
    """Telegram's measure of a message: UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """At most `limit` units once HTML-escaped (a "&" costs five, an emoji two), so a view built from
    excerpts fits in one message whatever people typed."""
    used = 0
    for i, ch in enumerate(text):
        used += _ESCAPED.get(ch, 2 if ord(ch) > 0xFFFF else 1)
        if used > limit:
            return text[:i].rstrip() + "…"
    return text


def long_messages(lang: str, template: str, *, body: str, ticket_id: str, keyboard=None, **params) -> list[dict]:
    """Outbox messages for a text that quotes `body`: one message when it fits, otherwise the message with an
    excerpt followed by the whole text as a UTF-8 file (a send never fails on length, nothing is cut)."""
    text = render(lang, template, body=body, long=False, ticket=ticket_id, **params)
    if size(text) <= MESSAGE_LIMIT:
        return [outbox.message(text, keyboard)]
    short = render(lang, template, body=excerpt(body), long=True, ticket=ticket_id, **params)
    caption = render(lang, "feedback_body_caption", ticket=ticket_id)
    return [outbox.message(short, keyboard),
            outbox.document(f"feedback-{ticket_id}.txt", body.encode("utf-8"), caption)]


def _b(lang: str, name: str, prefix: Prefix, obj, action: str, **params) -> dict:
    return button(render(lang, "feedback_button", name=name, **params), prefix, obj, action)


def writer_keyboard(lang: str, ticket: FeedbackTicket, rateable: bool = False) -> list[list[dict]]:
    """What the writer can do with their ticket in its current state (`rateable`: `has_answer`)."""
    rows: list[list[dict]] = []
    if ticket.status in LIVE_STATES:
        rows.append([_b(lang, "answer_back", Prefix.FEEDBACK, ticket.id, "reply"),
                     _b(lang, "resolved", Prefix.FEEDBACK, ticket.id, "resolve")])
    if ticket.status in (ANSWERED, *CLOSED_STATES):
        rows.append([_b(lang, "reopen", Prefix.FEEDBACK, ticket.id, "reopen")])
    if rateable:
        rows.append([_b(lang, "star", Prefix.FEEDBACK, ticket.id, f"rate{n}", n=n) for n in range(1, 6)])
    return rows


def staff_keyboard(lang: str, ticket: FeedbackTicket) -> list[list[dict]]:
    """What the office can do with a ticket in its current state (each press is checked again)."""
    rows: list[list[dict]] = []
    if ticket.status in LIVE_STATES:
        rows.append([_b(lang, "take", Prefix.INBOX, ticket.id, "take"),
                     _b(lang, "reply", Prefix.INBOX, ticket.id, "reply"),
                     _b(lang, "ask", Prefix.INBOX, ticket.id, "ask")])
        rows.append([_b(lang, "mark_answered", Prefix.INBOX, ticket.id, "answered"),
                     _b(lang, "close_resolved", Prefix.INBOX, ticket.id, "resolve"),
                     _b(lang, "close_unresolved", Prefix.INBOX, ticket.id, "close")])
    elif ticket.status == RESOLVED and not ticket.pdca_done:
        rows.append([_b(lang, "pdca", Prefix.INBOX, ticket.id, "resolve")])
    if ticket.measure and ticket.task_id is None:
        rows.append([_b(lang, "to_task", Prefix.INBOX, ticket.id, "task")])
    if ticket.attachment_file_id:
        rows.append([_b(lang, "attachment", Prefix.INBOX, ticket.id, "file")])
    return rows


def open_keyboard(lang: str, ticket_id: str) -> list[list[dict]]:
    return [[_b(lang, "open", Prefix.INBOX, ticket_id, "view")]]
