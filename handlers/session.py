"""The per-update wrapper every handler goes through.

It opens one transaction, marks the update handled in the inbox (an update already handled, redelivered or
taken by another process, is left alone), identifies the member, applies the role check (the one place it
lives, for commands, texts and buttons alike), runs the handler, commits, and only then sends the replies
the handler queued: nothing is said about a change that did not commit, and a change commits together with
"handled", so no ticket is filed twice and no press counts twice. Slow work that needs no database (reading
a file) runs between two transactions through `Turn.outside` (the update counts as handled from the first
commit: a crash while reading the file loses that upload, and the sender is not told). A stranger gets the
registration prompt,
whatever they sent or pressed.
"""
from __future__ import annotations

import asyncio
import html
import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Awaitable, Callable, TypeVar

from telegram import InlineKeyboardMarkup, InputFile, ReplyKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from messages import buttons, language_for, render
from storage import inbox, members
from storage.errors import InvalidFile, Refused, render_problems
from storage.members import TelegramUser
from storage.models.org import Member

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Turn:
    """One update being handled: who, in which language, with which session, and what to answer."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    runtime: Any
    user: TelegramUser
    lang: str
    session: Any = None
    member: Member | None = None
    roles: tuple[str, ...] | None = None
    picked: str | None = None  # a pressed candidate (handlers/picker.py), read by flows as typed text
    _actions: list = field(default_factory=list)
    _answered: bool = False
    _transaction: AsyncExitStack | None = None

    @property
    def ctx(self):
        return self.runtime.ctx

    @property
    def me(self) -> Member:
        assert self.member is not None
        return self.member

    @property
    def query(self):
        return self.update.callback_query

    @property
    def message(self):
        return self.update.effective_message

    @property
    def text(self) -> str:
        """What the member typed, or what the candidate they pressed stands for."""
        if self.picked is not None:
            return self.picked
        return (self.message.text or "") if self.message else ""

    async def begin(self) -> None:
        stack = AsyncExitStack()
        self.session = await stack.enter_async_context(self.runtime.db.session())
        self._transaction = stack

    async def end(self, exc: BaseException | None = None) -> None:
        """Commit the open transaction, or roll it back when `exc` ended the handler."""
        stack, self._transaction = self._transaction, None
        if stack is None:
            return
        if exc is None:
            await stack.aclose()
        else:
            await stack.__aexit__(type(exc), exc, exc.__traceback__)

    async def outside(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` with no transaction open, then go on in a fresh one (who is asking looked up again).

        For slow work that needs no database, such as downloading and reading a file: SQLite holds its
        write lock for the whole of a transaction, so reading inside one would stall every other member.
        What the handler did before is committed first.
        """
        await self.end()
        try:
            result = await work()
        finally:
            await self.begin()
        self.member = await members.identify(self.session, self.ctx, self.user)
        if self.member is None or (self.roles is not None and not self.member.has_role(*self.roles)):
            raise Refused("not_allowed")  # lost the role (or the membership) meanwhile
        return result

    def t(self, template: str, /, **params) -> str:
        return render(self.lang, template, **params)

    def say(self, template: str, /, keyboard: list[list[dict]] | dict | None = None, **params) -> None:
        """Reply in this chat with a template."""
        self._actions.append(("send", self.t(template, **params), keyboard))

    def say_text(self, text: str, keyboard: list[list[dict]] | None = None) -> None:
        self._actions.append(("send", text, keyboard))

    def edit(self, template: str, /, keyboard: list[list[dict]] | None = None, **params) -> None:
        """Replace the text of the message whose button was pressed (or reply if there is none)."""
        self._actions.append(("edit", self.t(template, **params), keyboard))

    def edit_message(self, message_id: int, template: str, /, keyboard: list[list[dict]] | None = None,
                     **params) -> None:
        """Replace the text of an earlier message in this chat (the one whose button began a typed answer)."""
        self._actions.append(("edit_id", self.t(template, **params), keyboard, message_id))

    def toast(self, template: str, /, alert: bool = False, **params) -> None:
        """The small answer to a button press."""
        self._actions.append(("toast", self.t(template, **params), alert))

    def document(self, filename: str, content: bytes, caption_template: str | None = None, **params) -> None:
        caption = self.t(caption_template, **params) if caption_template else None
        self._actions.append(("document", filename, content, caption))

    def photo(self, content: bytes, caption_template: str | None = None, **params) -> None:
        caption = self.t(caption_template, **params) if caption_template else None
        self._actions.append(("photo", content, caption))

    def attachment(self, file_kind: str, file_id: str, caption_template: str | None = None, /, **params) -> None:
        """Re-send a photo or document someone sent, by Telegram's file id."""
        caption = self.t(caption_template, **params) if caption_template else None
        self._actions.append(("attachment", file_kind, file_id, caption))

    def menu(self, commands: list[tuple[str, str]]) -> None:
        """Set this chat's command menu to `commands`."""
        self._actions.append(("menu", commands))

    def refuse(self, exc: Refused) -> None:
        self._actions.clear()
        keyboard = getattr(exc, "keyboard", None)
        if keyboard is not None:  # storage.errors.Choose: the question stands, with the candidates
            self.say(exc.template, keyboard, **exc.params)
        elif self.query is not None:
            self.toast(exc.template, alert=True, **exc.params)
        else:
            self.say(exc.template, **exc.params)

    def refuse_file(self, exc: InvalidFile) -> None:
        self._actions.clear()
        self._actions.append(("send", render_problems(self.lang, exc.problems), None))

    async def flush(self) -> None:
        """Send what the handler queued, in order; the callback answer goes alongside, not after.

        The answer to a button press (a toast, or the bare answer every press needs) is not a message in the
        chat, so it runs concurrently with the chat's messages, which keep their order. Every call is awaited
        before flush returns, and the first error (other than "not modified") is raised as before.
        """
        answer = None
        if self.query is not None and not self._answered:
            self._answered = True
            toast = next((a for a in self._actions if a[0] == "toast"), None)
            # A toast is plain text: the rendered (HTML-escaped) template is unescaped before it is cut.
            answer = (self.query.answer(html.unescape(toast[1])[:200], show_alert=toast[2]) if toast
                      else self.query.answer())
        chat = [a for a in self._actions if a[0] != "toast"]
        if answer is None:
            await self._send(chat)
            return
        if not chat:
            await answer
            return
        results = await asyncio.gather(self._send(chat), answer, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _send(self, actions: list) -> None:
        bot = self.context.bot
        chat_id = self.user.chat_id
        for action in actions:
            kind = action[0]
            try:
                if kind == "send":
                    await bot.send_message(chat_id, action[1], parse_mode="HTML", reply_markup=_markup(action[2]),
                                           disable_web_page_preview=True)
                elif kind == "edit":
                    msg = self.query.message if self.query else None
                    if msg is None:
                        await bot.send_message(chat_id, action[1], parse_mode="HTML",
                                               reply_markup=_markup(action[2]), disable_web_page_preview=True)
                    else:
                        await bot.edit_message_text(action[1], chat_id=msg.chat_id, message_id=msg.message_id,
                                                    parse_mode="HTML", reply_markup=_markup(action[2]),
                                                    disable_web_page_preview=True)
                elif kind == "edit_id":
                    await bot.edit_message_text(action[1], chat_id=chat_id, message_id=action[3], parse_mode="HTML",
                                                reply_markup=_markup(action[2]), disable_web_page_preview=True)
                elif kind == "document":
                    await bot.send_document(chat_id, InputFile(action[2], filename=action[1]),
                                            caption=action[3], parse_mode="HTML")
                elif kind == "photo":
                    await bot.send_photo(chat_id, InputFile(action[1], filename="chart.png"), caption=action[2],
                                         parse_mode="HTML")
                elif kind == "attachment":
                    send = bot.send_photo if action[1] == "photo" else bot.send_document
                    await send(chat_id, action[2], caption=action[3], parse_mode="HTML")
                elif kind == "menu":
                    from telegram import BotCommand, BotCommandScopeChat

                    await bot.set_my_commands([BotCommand(c, d) for c, d in action[1]],
                                              scope=BotCommandScopeChat(chat_id))
            except BadRequest as exc:
                reason = exc.message.lower()
                gone = kind == "edit_id" and "not found" in reason  # deleted meanwhile: the reply says it all
                if "not modified" not in reason and not gone:
                    raise


def _markup(keyboard):
    """Rows of inline buttons, or a menu keyboard (`storage.commands.keyboard`, a dict) under the input."""
    if isinstance(keyboard, dict):
        return ReplyKeyboardMarkup.de_json(keyboard, None)
    return InlineKeyboardMarkup.de_json({"inline_keyboard": keyboard}, None) if keyboard else None


def telegram_user(update: Update) -> TelegramUser | None:
    user = update.effective_user
    if user is None:
        return None
    chat = update.effective_chat
    return TelegramUser(id=user.id, chat_id=chat.id if chat else user.id, full_name=user.full_name,
                        language_code=user.language_code)


Handler = Callable[[Turn], Awaitable[None]]


def handler(roles: tuple[str, ...] | None = None, *, strangers: bool = False):
    """Wrap `async def x(turn)` as a PTB callback with the session, identity and role check.

    `roles`: any of these roles may use it (None: every registered member). `strangers=True` lets an
    unregistered user in (only /start does that).
    """

    def decorate(fn: Handler):
        @wraps(fn)
        async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            user = telegram_user(update)
            if user is None or (update.effective_chat and update.effective_chat.type != "private"):
                return
            if update.edited_message is not None:
                return  # an edit is not a new answer: flows take each message once
            runtime = context.bot_data["runtime"]
            turn = Turn(update, context, runtime, user, language_for(user.language_code), roles=roles)
            try:
                await turn.begin()
                try:
                    if not await inbox.take(turn.session, update.update_id):
                        await turn.end()
                        return  # handled before: its change and its replies are not repeated
                    turn.member = await members.identify(turn.session, runtime.ctx, user)
                    if turn.member is not None:
                        turn.lang = turn.member.language
                    if turn.member is None and not strangers:
                        turn.say("registration_prompt")
                    elif roles is not None and turn.member is not None and not turn.member.has_role(*roles):
                        if turn.query is not None:
                            turn.toast("not_allowed", alert=True)
                        else:
                            turn.say("not_allowed")
                    else:
                        await fn(turn)
                except BaseException as exc:
                    await turn.end(exc)
                    raise
                await turn.end()
                runtime.inbox.committed(update.update_id)
            except Refused as exc:
                turn.refuse(exc)
            except buttons.Forged:
                turn.refuse(Refused("button_expired"))
            except InvalidFile as exc:
                turn.refuse_file(exc)
            await turn.flush()

        return callback

    return decorate
