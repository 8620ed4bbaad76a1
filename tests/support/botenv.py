"""The bot, real and whole, against the fake Bot API: tests talk to it as people in a chat would.

`BotEnv` owns the fake server, the runtime and an injected clock; `Person` sends messages, uploads files and
presses buttons, and reads what the bot sent back.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from pathlib import Path

from bot.app import Runtime
from bot.config import Config
from bot.sandbox.fakeapi import FakeBotAPI
from storage import invites, roster
from storage.clock import FrozenClock

ADMIN_ID = 9000001
# A Thursday morning in Shanghai (01:00 UTC is 09:00 local): outside quiet hours.
DEFAULT_NOW = datetime(2026, 12, 3, 1, 0, tzinfo=timezone.utc)


class Person:
    def __init__(self, env: "BotEnv", user_id: int, name: str, lang: str = "zh-hans"):
        self.env, self.id, self.name = env, user_id, name
        env.fake.user(user_id, name, lang)

    @property
    def messages(self) -> list[dict]:
        return self.env.fake.messages(self.id)

    @property
    def last(self) -> dict:
        return self.messages[-1]

    def texts(self) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.messages]

    async def _after(self, action) -> list[dict]:
        before = len(self.messages)
        await action
        await self.env.settle()
        return self.messages[before:]

    async def send(self, text: str) -> list[dict]:
        return await self._after(self.env.fake.send_text(self.id, text))

    async def say(self, text: str) -> str:
        """Send and return the text of the bot's (last) reply."""
        replies = await self.send(text)
        return replies[-1].get("text", "") if replies else ""

    async def upload(self, filename: str, content: bytes, caption: str | None = None) -> list[dict]:
        return await self._after(self.env.fake.send_document(self.id, filename, content, caption))

    async def photo(self, content: bytes, caption: str | None = None) -> list[dict]:
        return await self._after(self.env.fake.send_photo(self.id, content, caption))

    async def reply(self, message: dict, text: str) -> list[dict]:
        """Telegram's reply: `text` sent as an answer to one of the bot's messages."""
        return await self._after(self.env.fake.send_text(self.id, text, reply_to=message))

    async def reply_photo(self, message: dict, content: bytes, caption: str | None = None) -> list[dict]:
        return await self._after(self.env.fake.send_photo(self.id, content, caption, reply_to=message))

    async def reply_upload(self, message: dict, filename: str, content: bytes, caption: str | None = None,
                           size: int | None = None) -> list[dict]:
        return await self._after(self.env.fake.send_document(self.id, filename, content, caption,
                                                             reply_to=message, size=size))

    def find(self, button: str) -> dict:
        """The newest message that carries a button with this text (or callback data)."""
        for message in reversed(self.messages):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for b in row:
                    if button in (b.get("text", ""), b.get("callback_data")) or button in b.get("text", ""):
                        return message
        raise LookupError(f"no message with a {button!r} button for {self.name}")

    async def press(self, button: str, message: dict | None = None) -> "Press":
        message = message or self.find(button)
        before = len(self.messages)
        qid = await self.env.fake.press(self.id, message, button)
        await self.env.settle()
        return Press(self.env.fake.callback_answers.get(qid), self.messages[before:], message)

    async def press_data(self, data: str, message: dict | None = None) -> "Press":
        """Press a button with any callback data: what a forged client would do."""
        before = len(self.messages)
        qid = await self.env.fake.press_data(self.id, message, data)
        await self.env.settle()
        return Press(self.env.fake.callback_answers.get(qid), self.messages[before:], message)

    def menu(self) -> list[str]:
        return [c["command"] for c in self.env.fake.commands.get(f"chat:{self.id}", [])]


class Press:
    def __init__(self, answer: dict | None, new: list[dict], message: dict | None):
        self.answer = answer or {}
        self.new = new
        self.message = message

    @property
    def toast(self) -> str:
        return self.answer.get("text") or ""

    @property
    def text(self) -> str:
        """The edited message's text, or the newest reply's."""
        if self.new:
            return self.new[-1].get("text", "")
        return (self.message or {}).get("text", "")


class BotEnv:
    def __init__(self, fake: FakeBotAPI, config: Config, clock: FrozenClock, *, sender_loop: bool = False):
        """`sender_loop`: the outbox goes out on its own as in production; without it only `tick()` sends,
        so a conversation can look at what is queued before it goes."""
        self.fake, self.config, self.clock = fake, config, clock
        self.sender_loop = sender_loop
        self.runtime: Runtime | None = None
        self._handled_base = 0

    async def start(self, upgrade: bool = True) -> None:
        self.runtime = Runtime(self.config, clock=self.clock)
        await self.runtime.start(upgrade=upgrade, sender=self.sender_loop)

    async def stop(self) -> None:
        if self.runtime is not None:
            self._handled_base += self.runtime.processor.finished
            stopping = asyncio.create_task(self.runtime.stop())
            while not stopping.done():
                await self.fake.release_polls()
                await asyncio.sleep(0.01)
            await stopping
            self.runtime = None

    async def restart(self) -> None:
        await self.stop()
        await self.start(upgrade=False)

    @property
    def db(self):
        return self.runtime.db

    @property
    def ctx(self):
        return self.runtime.ctx

    async def settle(self, timeout: float = 15.0) -> None:
        """Wait until the bot has handled every update the fake server has queued."""
        deadline = time.monotonic() + timeout
        while True:
            handled = self._handled_base + self.runtime.processor.finished
            if handled >= self.fake.update_count:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"bot handled {handled} of {self.fake.update_count} updates")
            await asyncio.sleep(0.005)

    async def tick(self) -> dict:
        return await self.runtime.tick()

    def person(self, user_id: int, name: str, lang: str = "zh-hans") -> Person:
        return Person(self, user_id, name, lang)

    def admin(self) -> Person:
        return self.person(ADMIN_ID, "Admin")

    async def import_roster(self, csv_text: str) -> dict[str, str]:
        """Roster straight through the storage service; returns employee_no -> invite code."""
        entries = roster.check(csv_text.encode("utf-8"), "roster.csv")
        async with self.db.session() as session:
            result = await roster.apply(session, self.ctx, entries)
        return {inv.employee_no: inv.code for inv in result.invitations}

    async def new_code(self, employee_no: str) -> str:
        from storage import members

        async with self.db.session() as session:
            member = await members.by_employee_no(session, employee_no)
            return await invites.issue(session, self.ctx, member.id)

    async def join(self, user_id: int, name: str, employee_no: str, lang: str = "zh-hans") -> Person:
        """A roster member registers with a fresh invite code."""
        person = self.person(user_id, name, lang)
        code = await self.new_code(employee_no)
        await person.send(f"/start {code}")
        return person


DEMO_ROSTER = """employee_no,name,department,branch,party_member,roles
1001,张伟,生产部,第一支部,是,secretary
1002,王芳,生产部,第一支部,是,employee
1003,李强,生产部,第一支部,否,employee
1004,刘洋,财务部,第二支部,是,secretary
1005,陈静,财务部,第二支部,否,employee
1006,赵磊,办公室,第二支部,是,leader
1007,Emily Zhou,财务部,第二支部,否,employee
"""


def make_config(fake: FakeBotAPI, tmp: Path, database_url: str | None = None, **overrides) -> Config:
    base = dict(token=fake.token, api_url=fake.base_url,
                database_url=database_url or f"sqlite+aiosqlite:///{tmp / 'tongxin.db'}", data_dir=tmp,
                secret=b"test-secret-not-for-production", admins=frozenset({ADMIN_ID}), tick_seconds=3600,
                rate_per_second=0, chat_interval=0)
    base.update(overrides)
    return Config(**base)
