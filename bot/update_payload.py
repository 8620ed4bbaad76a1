"""What counts as an update: the one check the webhook and the poller apply before anything is recorded.

A body that is not one (invalid UTF-8, not a JSON object, no integer `update_id`, a message without a chat,
JSON nested deeper than any update) is refused with a one-line reason: the webhook answers 400 with it.
"""
from __future__ import annotations

import json

from telegram import Update

# Real updates nest a dozen levels at most (a reply to a message with a keyboard); anything far deeper is
# a hostile body, refused before the parser or the handlers walk it.
MAX_DEPTH = 64
# Message-like parts of an update: each must say which chat it belongs to.
MESSAGES = ("message", "edited_message", "channel_post", "edited_channel_post", "business_message",
            "edited_business_message")


class NotAnUpdate(ValueError):
    """A body that is not a Telegram update; the message is the one-line reason."""


def _depth_within(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse(body: bytes) -> dict:
    """The update as a dict, or NotAnUpdate."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise NotAnUpdate("body is not UTF-8") from None
    try:
        payload = json.loads(text)
    except RecursionError:
        raise NotAnUpdate("JSON nested too deeply") from None
    except ValueError:
        raise NotAnUpdate("body is not JSON") from None
    return check(payload)


def check(payload) -> dict:
    """`payload` if it has the shape of an update, else NotAnUpdate."""
    if not isinstance(payload, dict):
        raise NotAnUpdate(f"not an update object ({type(payload).__name__})")
    if not _depth_within(payload, MAX_DEPTH):
        raise NotAnUpdate("JSON nested too deeply")
    if not _is_int(payload.get("update_id")):
        raise NotAnUpdate("no integer update_id")
    parts = [key for key, value in payload.items() if key != "update_id" and isinstance(value, dict)]
    if not parts:
        raise NotAnUpdate("no update content")
    for key in MESSAGES:
        if key in payload:
            message = payload[key]
            chat = message.get("chat") if isinstance(message, dict) else None
            if not isinstance(chat, dict) or not _is_int(chat.get("id")):
                raise NotAnUpdate(f"{key} without a chat")
    query = payload.get("callback_query")
    if query is not None and (not isinstance(query, dict) or not isinstance(query.get("from"), dict)):
        raise NotAnUpdate("callback_query without a sender")
    try:
        Update.de_json(payload, None)
    except Exception as exc:  # PTB's own parser is the last word on the shape
        raise NotAnUpdate(f"not a valid update ({type(exc).__name__})") from None
    return payload
