"""How feedback texts fit Telegram: excerpts that stay within a size once HTML-escaped, long texts that
travel as a file after an excerpt, and the ticket keyboards for each side and state.
"""
from __future__ import annotations

from messages import render
from messages.buttons import feedback as fb_buttons
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


def _writer(lang: str, name: str, ticket_id: str, action: str, **params) -> dict:
    return fb_buttons.writer(render(lang, "feedback_button", name=name, **params), ticket_id, action)


def _office(lang: str, name: str, ticket_id: str, action: str, **params) -> dict:
    return fb_buttons.office(render(lang, "feedback_button", name=name, **params), ticket_id, action)


def writer_keyboard(lang: str, ticket: FeedbackTicket, rateable: bool = False) -> list[list[dict]]:
    """What the writer can do with their ticket in its current state (`rateable`: `has_answer`)."""
    rows: list[list[dict]] = []
    if ticket.status in LIVE_STATES:
        rows.append([_writer(lang, "answer_back", ticket.id, "reply"),
                     _writer(lang, "resolved", ticket.id, "resolve")])
    if ticket.status in (ANSWERED, *CLOSED_STATES):
        rows.append([_writer(lang, "reopen", ticket.id, "reopen")])
    if rateable:
        rows.append([_writer(lang, "star", ticket.id, fb_buttons.rate(n), n=n) for n in range(1, 6)])
    return rows


def staff_keyboard(lang: str, ticket: FeedbackTicket) -> list[list[dict]]:
    """What the office can do with a ticket in its current state (each press is checked again)."""
    rows: list[list[dict]] = []
    if ticket.status in LIVE_STATES:
        rows.append([_office(lang, "take", ticket.id, "take"),
                     _office(lang, "reply", ticket.id, "reply"),
                     _office(lang, "ask", ticket.id, "ask")])
        rows.append([_office(lang, "mark_answered", ticket.id, "answered"),
                     _office(lang, "close_resolved", ticket.id, "resolve"),
                     _office(lang, "close_unresolved", ticket.id, "close")])
    elif ticket.status == RESOLVED and not ticket.pdca_done:
        rows.append([_office(lang, "pdca", ticket.id, "resolve")])
    if ticket.measure and ticket.task_id is None:
        rows.append([_office(lang, "to_task", ticket.id, "task")])
    if ticket.attachment_file_id:
        rows.append([_office(lang, "attachment", ticket.id, "file")])
    return rows


def open_keyboard(lang: str, ticket_id: str) -> list[list[dict]]:
    return [[_office(lang, "open", ticket_id, "view")]]
