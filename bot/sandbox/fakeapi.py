"""A fake Telegram Bot API on aiohttp that speaks the real JSON shapes for what the bot uses.

It keeps what the bot sent per chat (with edits applied), queues updates that simulated users cause
(messages, documents, photos, button presses) for `getUpdates` long polling, serves uploaded and
user-sent files through `getFile` and the file download path, and can be told to fail with 429, 403 or 500.
`enforce_limits()` makes it answer 429 with `retry_after` as Telegram does above its limits (about 30
messages/s overall, one per second per chat), never more leniently.
The tests and the terminal chat drive the bot through it over HTTP, exactly as Telegram would.
Each chat also keeps a log of what changed in it (sent, edited with the text and buttons before and after,
deleted), and the chats can be saved and restored (`snapshot`/`restore`) for a sandbox that restarts.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from aiohttp import web

JSON_KEYS = {"reply_markup", "commands", "scope", "entities", "allowed_updates", "link_preview_options", "media",
             "options", "reply_parameters", "caption_entities", "results"}
INT_KEYS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "reply_to_message_id",
            "correct_option_id", "cache_time", "max_connections"}
BOOL_KEYS = {"show_alert", "disable_web_page_preview", "is_anonymous", "drop_pending_updates",
             "disable_notification", "allows_multiple_answers", "protect_content"}


@dataclass
class Failure:
    method: str | None
    status: int
    times: int
    chat_id: int | None = None
    retry_after: int | None = None
    description: str | None = None


# What counts against Telegram's message limits.
MESSAGE_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "sendPoll", "sendMediaGroup",
                             "copyMessage", "forwardMessage", "editMessageText", "editMessageReplyMarkup"})


@dataclass
class Limits:
    """Telegram's limits as the fake enforces them.

    `per_second` messages in any window of one second (less `tolerance`), and `chat_interval` seconds between
    two messages to one chat (less `tolerance`). The tolerance absorbs the network jitter between requests the
    bot paced correctly; Telegram's own limits are looser ("about 30"), so the fake stays the stricter."""

    per_second: float = 30.0
    chat_interval: float = 1.0
    tolerance: float = 0.05
    retry_after: int = 1


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict | None = None):
        self.status, self.description, self.parameters = status, description, parameters


class FakeBotAPI:
    def __init__(self, token: str = "100200300:SANDBOX-fake-token", username: str = "tongxin_bot"):
        self.token = token
        self.username = username
        self.bot_id = int(token.split(":")[0])
        self.pending: list[dict] = []
        self.update_count = 0
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self.sent: dict[int, list[dict]] = defaultdict(list)  # chat -> messages from the bot, edits applied
        # chat -> what happened in it, in order: {"kind": "sent"|"edited"|"deleted", "message_id", "before"}
        # ("before": the text and buttons an edit replaced), so the terminal chat can show edits as edits.
        self.changes: dict[int, list[dict]] = defaultdict(list)
        self.by_id: dict[tuple[int, int], dict] = {}
        self.calls: list[tuple[str, dict]] = []
        self.callback_answers: dict[str, dict] = {}
        self.commands: dict[str, list[dict]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.file_kinds: dict[str, str] = {}  # file id -> "photo" or "document": Telegram will not send one as the other
        self.failures: list[Failure] = []
        self.blocked: set[int] = set()
        self.users: dict[int, dict] = {}
        self.webhook: dict | None = None
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.send_count = 0
        self._poll_generation = 0
        self.limits: Limits | None = None
        self.limits_since = 0.0
        self.accepted: list[tuple[float, str, int | None]] = []  # (monotonic time, method, chat) of every message
        self.refused: list[tuple[float, str, int | None, int]] = []  # (time, method, chat, status) of refusals
        self._window: deque[float] = deque()
        self._last_in_chat: dict[int, float] = {}

    # --- server --------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        real_port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
        self.base_url = f"http://{host}:{real_port}"
        return self.base_url

    async def stop(self) -> None:
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        now = time.monotonic()
        try:
            self._maybe_fail(method, params)
            handler = getattr(self, f"api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if method in MESSAGE_METHODS:
                self._within_limits(now, params.get("chat_id"))
            result = await handler(params)
            if method in MESSAGE_METHODS:
                self.accepted.append((now, method, params.get("chat_id")))
        except ApiError as exc:
            if method in MESSAGE_METHODS or exc.status == 429:
                self.refused.append((now, method, params.get("chat_id"), exc.status))
            body = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            return web.json_response(body, status=exc.status)
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict:
        if request.content_type == "application/json":
            raw = await request.json() if request.can_read_body else {}
            return dict(raw)
        if request.content_type.startswith("multipart/") or request.content_type.endswith("x-www-form-urlencoded"):
            form = await request.post()
        else:
            form = request.query
        params: dict = {}
        for key, value in form.items():
            if hasattr(value, "file"):  # an uploaded file
                params[key] = {"upload": value.filename, "content": value.file.read()}
                continue
            if key in JSON_KEYS:
                params[key] = json.loads(value)
            elif key in INT_KEYS and value.lstrip("-").isdigit():
                params[key] = int(value)
            elif key in BOOL_KEYS:
                params[key] = value.lower() == "true"
            else:
                params[key] = value
        # Uploads are referenced as "attach://name" in the document field.
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.pop(value[len("attach://"):], value)
        return params

    def _maybe_fail(self, method: str, params: dict) -> None:
        chat = params.get("chat_id")
        if method.startswith("send") and chat in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        for f in self.failures:
            if f.times <= 0 or (f.method and f.method != method) or (f.chat_id is not None and f.chat_id != chat):
                continue
            f.times -= 1
            if f.status == 429:
                after = f.retry_after or 1
                raise ApiError(429, f"Too Many Requests: retry after {after}", {"retry_after": after})
            if f.status == 403:
                raise ApiError(403, f.description or "Forbidden: bot was blocked by the user")
            if f.status == 400:
                raise ApiError(400, f.description or "Bad Request: chat not found")
            raise ApiError(f.status, f.description or "Internal Server Error")

    def _within_limits(self, now: float, chat) -> None:
        limits = self.limits
        if limits is None:
            return
        window = self._window
        while window and window[0] <= now - (1.0 - limits.tolerance):
            window.popleft()
        too_fast = limits.per_second > 0 and len(window) >= limits.per_second
        last = self._last_in_chat.get(chat) if isinstance(chat, int) else None
        chat_too_fast = (limits.chat_interval > 0 and last is not None
                         and now - last < limits.chat_interval - limits.tolerance)
        if too_fast or chat_too_fast:
            after = limits.retry_after
            raise ApiError(429, f"Too Many Requests: retry after {after}", {"retry_after": after})
        window.append(now)
        if isinstance(chat, int):
            self._last_in_chat[chat] = now

    # --- control (tests and the terminal chat) ------------------------------------------------------

    def enforce_limits(self, per_second: float = 30.0, chat_interval: float = 1.0, *, tolerance: float = 0.05,
                       retry_after: int = 1) -> None:
        """Answer 429 above Telegram's limits from now on (0 turns one of them off)."""
        self.limits = Limits(per_second, chat_interval, tolerance, retry_after)
        self.limits_since = time.monotonic()

    @property
    def throttled(self) -> int:
        """How many 429s the fake has answered (injected or for limits)."""
        return sum(1 for r in self.refused if r[3] == 429)

    def peak_per_second(self, since: float = 0.0) -> int:
        """The most messages accepted in any one-second window (less the tolerance), for rate assertions."""
        times = [t for t, _, _ in self.accepted if t >= since]
        span = 1.0 - (self.limits.tolerance if self.limits else 0.0)
        best, start = 0, 0
        for end, t in enumerate(times):
            while times[start] <= t - span:
                start += 1
            best = max(best, end - start + 1)
        return best

    def min_chat_gap(self, since: float = 0.0) -> float:
        """The shortest time between two messages accepted for one chat."""
        last: dict = {}
        gap = float("inf")
        for t, _, chat in (a for a in self.accepted if a[0] >= since):
            if chat in last:
                gap = min(gap, t - last[chat])
            last[chat] = t
        return gap

    def fail(self, method: str | None, status: int, times: int = 1, *, chat_id: int | None = None,
             retry_after: int | None = None, description: str | None = None) -> None:
        self.failures.append(Failure(method, status, times, chat_id, retry_after, description))

    def user(self, user_id: int, first_name: str, language_code: str = "zh-hans", last_name: str = "") -> dict:
        u = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        if last_name:
            u["last_name"] = last_name
        self.users[user_id] = u
        return u

    def _user(self, user_id: int) -> dict:
        return self.users.get(user_id) or self.user(user_id, f"User{user_id}")

    def _chat(self, user_id: int) -> dict:
        u = self._user(user_id)
        return {"id": user_id, "type": "private", "first_name": u["first_name"]}

    async def _push(self, update: dict) -> int:
        update["update_id"] = next(self._update_ids)
        async with self._changed:
            self.pending.append(update)
            self.update_count += 1
            self._changed.notify_all()
        return update["update_id"]

    def _user_message(self, user_id: int, reply_to: dict | int | None = None, **fields) -> dict:
        message = {"message_id": next(self._message_ids[user_id]), "date": int(time.time()),
                   "chat": self._chat(user_id), "from": self._user(user_id), **fields}
        if reply_to is not None:
            message["reply_to_message"] = self._replied(user_id, reply_to)
        return message

    def _replied(self, chat_id: int, reply_to: dict | int) -> dict:
        """The replied message as Telegram puts it in an update: as it is now (edits applied), the inline
        keyboard included, without its own reply_to_message; only a bot message of that chat that still exists
        (replying to one's own message, which Telegram allows, is not simulated)."""
        message_id = reply_to["message_id"] if isinstance(reply_to, dict) else reply_to
        message = self.by_id.get((chat_id, message_id))
        if message is None or message.get("_deleted"):
            raise LookupError(f"no message {message_id} in chat {chat_id} to reply to")
        out = {k: v for k, v in message.items() if not k.startswith("_") and k != "reply_to_message"}
        if "inline_keyboard" not in (out.get("reply_markup") or {"inline_keyboard": 0}):
            out.pop("reply_markup", None)  # a menu keyboard is not part of a Message
        return out

    async def send_text(self, user_id: int, text: str, entities: list[dict] | None = None,
                        reply_to: dict | int | None = None) -> int:
        """A user's text message; `entities` as Telegram clients send formatting (bold, links); `reply_to`: the
        bot's message (or its id) it answers, as Telegram's reply."""
        fields: dict = {"text": text}
        if entities is not None:
            fields["entities"] = entities
        elif text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self._push({"message": self._user_message(user_id, reply_to, **fields)})

    def store_file(self, name: str, content: bytes, kind: str = "document") -> str:
        file_id = f"F{next(self._file_ids)}-{secrets.token_hex(4)}"
        self.files[file_id] = (name, content)
        self.file_kinds[file_id] = kind
        return file_id

    async def send_document(self, user_id: int, filename: str, content: bytes, caption: str | None = None,
                            reply_to: dict | int | None = None, size: int | None = None) -> int:
        """`size`: the file_size Telegram reports (a large file without sending its bytes)."""
        file_id = self.store_file(filename, content)
        fields: dict = {"document": {"file_id": file_id, "file_unique_id": file_id + "u", "file_name": filename,
                                     "file_size": len(content) if size is None else size}}
        if caption:
            fields["caption"] = caption
            if caption.startswith("/"):
                fields["caption_entities"] = [{"type": "bot_command", "offset": 0,
                                               "length": len(caption.split()[0])}]
        return await self._push({"message": self._user_message(user_id, reply_to, **fields)})

    async def send_photo(self, user_id: int, content: bytes, caption: str | None = None,
                         reply_to: dict | int | None = None) -> int:
        file_id = self.store_file("photo.jpg", content, kind="photo")
        fields: dict = {"photo": [{"file_id": file_id, "file_unique_id": file_id + "u", "width": 640,
                                   "height": 480, "file_size": len(content)}]}
        if caption:
            fields["caption"] = caption
        return await self._push({"message": self._user_message(user_id, reply_to, **fields)})

    async def press(self, user_id: int, message: dict, button: str) -> str:
        """Press the button whose text or callback data is `button` (or contains it) on a bot message."""
        data = None
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for b in row:
                if b.get("callback_data") == button or b.get("text") == button:
                    data = b.get("callback_data")
                    break
            if data:
                break
        if data is None:
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for b in row:
                    if button in b.get("text", ""):
                        data = b.get("callback_data")
                        break
                if data:
                    break
        if data is None:
            raise LookupError(f"no button {button!r} on message {message.get('message_id')}")
        return await self.press_data(user_id, message, data)

    async def press_data(self, user_id: int, message: dict | None, data: str) -> str:
        """Send a callback query with any data, as a client could (forged presses included)."""
        query_id = str(next(self._callback_ids))
        query = {"id": query_id, "from": self._user(user_id), "chat_instance": f"ci{user_id}", "data": data}
        if message is not None:
            query["message"] = {k: v for k, v in message.items() if not k.startswith("_")}
        await self._push({"callback_query": query})
        return query_id

    def messages(self, chat_id: int) -> list[dict]:
        return self.sent[chat_id]

    def snapshot(self) -> dict:
        """The chats and the id counters as JSON-able data, so a sandbox restarted on the same database
        continues the same chats (old buttons still press, new update ids are new to the bot's inbox)."""
        return {"update_id": self._peek(self._update_ids),
                "chats": {str(chat): {"messages": [{k: v for k, v in m.items() if k != "_history"}
                                                   for m in self.sent.get(chat, [])],
                                      "next_id": self._peek(self._message_ids[chat])}
                          for chat in set(self.sent) | set(self._message_ids)}}

    def restore(self, state: dict) -> None:
        """Continue from a `snapshot()` (before the bot starts)."""
        self._update_ids = itertools.count(int(state.get("update_id") or 1))
        for chat, saved in (state.get("chats") or {}).items():
            chat_id = int(chat)
            self.sent[chat_id] = list(saved["messages"])
            for m in self.sent[chat_id]:
                self.by_id[(chat_id, m["message_id"])] = m
            self._message_ids[chat_id] = itertools.count(int(saved["next_id"]))

    def number_updates_after(self, update_id: int) -> None:
        """Give the next update an id above `update_id` (ids are never reused, as on Telegram)."""
        self._update_ids = itertools.count(max(self._peek(self._update_ids), update_id + 1))

    @staticmethod
    def _peek(counter) -> int:
        """The next value of an itertools.count, without using it up (its repr is `count(N)`)."""
        return int(repr(counter)[len("count("):-1])

    async def wait_for(self, predicate, timeout: float = 10.0):
        """Wait until predicate() is truthy (re-checked whenever the bot calls the API)."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the bot did not do what was expected in time")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except asyncio.TimeoutError:
                    pass

    async def release_polls(self) -> None:
        """Answer the long polls now waiting, so a bot stopping does not wait out their timeout."""
        async with self._changed:
            self._poll_generation += 1
            self._changed.notify_all()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- Bot API methods ------------------------------------------------------------------------

    def _bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Tongxin", "username": self.username,
                "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def api_getMe(self, p: dict):
        return self._bot_user()

    async def api_logOut(self, p: dict):
        return True

    async def api_close(self, p: dict):
        return True

    async def api_deleteWebhook(self, p: dict):
        self.webhook = None
        if p.get("drop_pending_updates"):
            self.pending.clear()
        return True

    async def api_setWebhook(self, p: dict):
        self.webhook = p
        return True

    async def api_getWebhookInfo(self, p: dict):
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self.pending)}

    async def api_getUpdates(self, p: dict):
        offset = int(p.get("offset") or 0)
        limit = int(p.get("limit") or 100)
        timeout = float(p.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        generation = self._poll_generation
        async with self._changed:
            while True:
                if offset:
                    self.pending = [u for u in self.pending if u["update_id"] >= offset]
                if self.pending or time.monotonic() >= deadline or generation != self._poll_generation:
                    return self.pending[:limit]
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except asyncio.TimeoutError:
                    pass

    def _chat_id(self, p: dict) -> int:
        chat_id = p.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _bot_message(self, chat_id: int, **fields) -> dict:
        message = {"message_id": next(self._message_ids[chat_id]), "date": int(time.time()),
                   "chat": self._chat(chat_id), "from": self._bot_user(), **fields}
        self.sent[chat_id].append(message)
        self.by_id[(chat_id, message["message_id"])] = message
        self.changes[chat_id].append({"kind": "sent", "message_id": message["message_id"],
                                      "after": self.shape(message)})
        self.send_count += 1
        return message

    async def api_sendMessage(self, p: dict):
        chat_id = self._chat_id(p)
        text = p.get("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        fields = {"text": text}
        if p.get("reply_markup"):
            fields["reply_markup"] = p["reply_markup"]
        message = self._bot_message(chat_id, **fields)
        await self._notify()
        if "inline_keyboard" not in (message.get("reply_markup") or {"inline_keyboard": 0}):
            # Telegram's Message carries inline keyboards only; a menu keyboard stays in the chat's record.
            return {k: v for k, v in message.items() if k != "reply_markup"}
        return message

    async def api_sendDocument(self, p: dict):
        chat_id = self._chat_id(p)
        doc = p.get("document")
        if isinstance(doc, dict) and "content" in doc:
            file_id = self.store_file(doc["upload"] or "document", doc["content"])
            name, size = doc["upload"], len(doc["content"])
        elif isinstance(doc, str) and doc in self.files:
            if self.file_kinds.get(doc) == "photo":
                raise ApiError(400, "Bad Request: can't use file of type Photo as Document")
            file_id, (name, content) = doc, self.files[doc]
            size = len(content)
        else:
            raise ApiError(400, "Bad Request: there is no document in the request")
        fields = {"document": {"file_id": file_id, "file_unique_id": file_id + "u", "file_name": name,
                               "file_size": size}}
        if p.get("caption"):
            fields["caption"] = p["caption"]
        if p.get("reply_markup"):
            fields["reply_markup"] = p["reply_markup"]
        message = self._bot_message(chat_id, **fields)
        await self._notify()
        return message

    async def api_sendPhoto(self, p: dict):
        chat_id = self._chat_id(p)
        photo = p.get("photo")
        if isinstance(photo, dict) and "content" in photo:
            file_id = self.store_file(photo["upload"] or "photo.jpg", photo["content"], kind="photo")
        elif isinstance(photo, str) and photo in self.files:
            if self.file_kinds.get(photo) != "photo":
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            file_id = photo
        else:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        fields = {"photo": [{"file_id": file_id, "file_unique_id": file_id + "u", "width": 640, "height": 480}]}
        if p.get("caption"):
            fields["caption"] = p["caption"]
        if p.get("reply_markup"):
            fields["reply_markup"] = p["reply_markup"]
        message = self._bot_message(chat_id, **fields)
        await self._notify()
        return message

    async def api_sendPoll(self, p: dict):
        chat_id = self._chat_id(p)
        options = [{"text": o if isinstance(o, str) else o.get("text"), "voter_count": 0}
                   for o in p.get("options", [])]
        poll = {"id": secrets.token_hex(6), "question": p.get("question", ""), "options": options,
                "total_voter_count": 0, "is_closed": False, "is_anonymous": p.get("is_anonymous", True),
                "type": p.get("type", "regular"), "allows_multiple_answers": p.get("allows_multiple_answers", False)}
        message = self._bot_message(chat_id, poll=poll)
        await self._notify()
        return message

    def _find(self, p: dict) -> dict:
        chat_id = self._chat_id(p)
        message = self.by_id.get((chat_id, int(p.get("message_id") or 0)))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    async def api_editMessageText(self, p: dict):
        message = self._find(p)
        text = p.get("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if text == message.get("text") and p.get("reply_markup") == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        message.setdefault("_history", []).append(message.get("text"))
        before = self.shape(message)
        message["text"] = text
        message["edit_date"] = int(time.time())
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        else:
            message.pop("reply_markup", None)
        self._edited(message, before)
        await self._notify()
        return {k: v for k, v in message.items() if not k.startswith("_")}

    async def api_editMessageReplyMarkup(self, p: dict):
        message = self._find(p)
        before = self.shape(message)
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        self._edited(message, before)
        await self._notify()
        return {k: v for k, v in message.items() if not k.startswith("_")}

    async def api_deleteMessage(self, p: dict):
        message = self._find(p)
        message["_deleted"] = True
        self.changes[message["chat"]["id"]].append({"kind": "deleted", "message_id": message["message_id"]})
        await self._notify()
        return True

    @staticmethod
    def shape(message: dict) -> dict:
        return {"text": message.get("text"), "reply_markup": message.get("reply_markup")}

    def _edited(self, message: dict, before: dict) -> None:
        self.changes[message["chat"]["id"]].append({"kind": "edited", "message_id": message["message_id"],
                                                    "before": before, "after": self.shape(message)})

    async def api_answerCallbackQuery(self, p: dict):
        query_id = str(p.get("callback_query_id"))
        if query_id in self.callback_answers:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self.callback_answers[query_id] = {"text": p.get("text"), "show_alert": bool(p.get("show_alert"))}
        await self._notify()
        return True

    async def api_setMyCommands(self, p: dict):
        scope = p.get("scope") or {"type": "default"}
        key = scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else "")
        if p.get("language_code"):
            key += f"@{p['language_code']}"
        self.commands[key] = p.get("commands") or []
        await self._notify()
        return True

    async def api_getMyCommands(self, p: dict):
        scope = p.get("scope") or {"type": "default"}
        key = scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else "")
        return self.commands.get(key, [])

    async def api_deleteMyCommands(self, p: dict):
        scope = p.get("scope") or {"type": "default"}
        self.commands.pop(scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else ""), None)
        return True

    async def api_sendChatAction(self, p: dict):
        return True

    async def api_getFile(self, p: dict):
        file_id = p.get("file_id")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        name, content = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": file_id + "u", "file_size": len(content),
                "file_path": f"documents/{file_id}/{name}"}

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        parts = request.match_info["path"].split("/")
        if len(parts) < 2 or parts[1] not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[parts[1]][1])

