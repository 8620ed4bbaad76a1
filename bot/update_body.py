"""What a webhook body must be before it is taken as an update: a JSON object with an integer `update_id`,
whose message-like parts carry a chat. Anything else is answered 400 with one log line, never a traceback."""
from __future__ import annotations

import json

from telegram import Update

# Telegram's updates nest a few levels; far deeper JSON is an attack on the parser, not an update.
MAX_DEPTH = 32
MESSAGE_KEYS = ("message", "edited_message", "channel_post", "edited_channel_post", "business_message")


class BadBody(ValueError):
    """Why a body is not an update (one line for the log)."""


def _depth(value, limit: int) -> int:
    stack, deepest = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def parse(raw: bytes, bot) -> Update:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadBody("body is not UTF-8") from exc
    try:
        payload = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BadBody("body is not JSON") from exc
    if not isinstance(payload, dict):
        raise BadBody(f"body is a JSON {type(payload).__name__}, not an object")
    if _depth(payload, MAX_DEPTH) > MAX_DEPTH:
        raise BadBody(f"body nests deeper than {MAX_DEPTH} levels")
    if not isinstance(payload.get("update_id"), int) or isinstance(payload.get("update_id"), bool):
        raise BadBody("body has no integer update_id")
    for key in MESSAGE_KEYS:
        part = payload.get(key)
        if part is not None and (not isinstance(part, dict) or not isinstance(part.get("chat"), dict)):
            raise BadBody(f"{key} without a chat")
    try:
        return Update.de_json(payload, bot)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadBody(f"not an update: {type(exc).__name__}") from exc
