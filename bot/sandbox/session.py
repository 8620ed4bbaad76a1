"""`python -m bot sandbox`: the real bot against the fake Bot API, a demo organisation, a terminal chat.

Pick a persona, type messages as them and press buttons by number. Typing `{code}` stands for the current
persona's invite code, so `/start {code}` registers them.
"""
from __future__ import annotations

import asyncio
import re
import sys
import time
from html import unescape
from pathlib import Path

from bot import config as config_module
from bot.app import Runtime
from bot.sandbox import demo
from bot.sandbox.fakeapi import FakeBotAPI
from storage import roster

HELP = """Sandbox commands:
  as N              act as persona N (see `who`)
  who               list the personas and their invite codes
  press M B         press button B of message M (numbers as shown)
  file PATH [CAPTION]  send a file (e.g. a .csv roster with caption /roster)
  tick              run one scheduler tick now (it also runs every few seconds)
  show              show the current persona's chat
  help              this text;  quit  leave
Anything else is sent as a message from the current persona; {code} is replaced by their invite code."""


class Sandbox:
    def __init__(self, out=sys.stdout):
        self.out = out
        self.fake = FakeBotAPI(username="tongxin_sandbox_bot")
        self.runtime: Runtime | None = None
        self.codes: dict[str, str] = {}
        self.people = demo.personas()
        self.current = self.people[0]
        self.shown: dict[int, int] = {}
        self._handled = 0

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    async def start(self) -> None:
        base = await self.fake.start()
        cfg = config_module.load()
        data_dir = Path(cfg.data_dir)
        db_path = data_dir / "sandbox.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        cfg = cfg.with_(token=self.fake.token, api_url=base, database_url=f"sqlite+aiosqlite:///{db_path.resolve()}",
                        admins=cfg.admins | {demo.ADMIN_TELEGRAM_ID}, tick_seconds=min(cfg.tick_seconds, 5),
                        chat_interval=0, webhook_url=None, http_port=None, bot_username=None)
        for p in self.people:
            self.fake.user(p.telegram_id, p.name, p.language)
        self.runtime = Runtime(cfg)
        await self.runtime.start()
        self.runtime.start_scheduler()
        entries = roster.check(demo.DEMO_ROSTER.encode("utf-8"), "demo.csv")
        async with self.runtime.db.session() as session:
            result = await roster.apply(session, self.runtime.ctx, entries)
        self.codes = {inv.employee_no: inv.code for inv in result.invitations}
        async with self.runtime.db.session() as session:
            made = await demo.seed_activities(session, self.runtime.ctx)
        self.print(f"Tongxin sandbox: fake Bot API at {base}, bot @{self.fake.username}, database {db_path}")
        self.print(f"Demo organisation: {len(entries)} members; {', '.join(made)}. You are persona 1 (admin).")
        self.print(HELP)
        self.who()

    async def stop(self) -> None:
        if self.runtime is not None:
            stopping = asyncio.create_task(self.runtime.stop())
            while not stopping.done():
                await self.fake.release_polls()
                await asyncio.sleep(0.01)
        await self.fake.stop()

    def who(self) -> None:
        for p in self.people:
            code = self.codes.get(p.employee_no or "", "")
            mark = "*" if p is self.current else " "
            self.print(f" {mark}{p.number:>2}  {p.name:<16} {('code ' + code) if code else '(admin)'}")

    async def settle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.runtime.processor.finished < self.fake.update_count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)

    def show_new(self, everything: bool = False) -> None:
        chat = self.current.telegram_id
        messages = self.fake.messages(chat)
        start = 0 if everything else self.shown.get(chat, 0)
        for number, m in enumerate(messages[start:], start=start + 1):
            text = m.get("text") or m.get("caption") or ""
            if "document" in m:
                text = f"[file {m['document']['file_name']}] {text}"
            self.print(f"--- #{number} {self.fake.username}:")
            self.print(unescape(re.sub(r"<[^>]+>", "", text)))
            buttons = [b for row in (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
            if buttons:
                self.print("    " + "  ".join(f"[{i}] {b['text']}" for i, b in enumerate(buttons, start=1)))
        answers = list(self.fake.callback_answers.values())
        if answers and answers[-1].get("text") and not everything:
            self.print(f"    (popup) {answers[-1]['text']}")
            answers[-1]["text"] = None
        self.shown[chat] = len(messages)

    async def handle(self, line: str) -> bool:
        line = line.strip()
        if not line:
            return True
        word, _, rest = line.partition(" ")
        if word == "quit":
            return False
        if word == "help":
            self.print(HELP)
        elif word == "who":
            self.who()
        elif word == "as":
            match = [p for p in self.people if str(p.number) == rest.strip()]
            if not match:
                self.print("no such persona; see `who`")
            else:
                self.current = match[0]
                self.print(f"you are now {self.current.name}")
                self.show_new()
        elif word == "show":
            self.show_new(everything=True)
        elif word == "tick":
            result = await self.runtime.tick()
            self.print(f"tick: {result['sent']} sent")
            self.show_new()
        elif word == "press":
            await self.press(rest)
        elif word == "file":
            path, _, caption = rest.partition(" ")
            p = Path(path)
            if not p.is_file():
                self.print(f"no such file: {path}")
            else:
                await self.fake.send_document(self.current.telegram_id, p.name, p.read_bytes(), caption or None)
                await self.settle()
                self.show_new()
        else:
            code = self.codes.get(self.current.employee_no or "", "")
            await self.fake.send_text(self.current.telegram_id, line.replace("{code}", code))
            await self.settle()
            self.show_new()
        return True

    async def press(self, rest: str) -> None:
        parts = rest.split()
        messages = self.fake.messages(self.current.telegram_id)
        if len(parts) != 2 or not all(x.isdigit() for x in parts) or not 0 < int(parts[0]) <= len(messages):
            self.print("usage: press MESSAGE_NUMBER BUTTON_NUMBER")
            return
        message = messages[int(parts[0]) - 1]
        buttons = [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        if not 0 < int(parts[1]) <= len(buttons):
            self.print("that message has no such button")
            return
        await self.fake.press_data(self.current.telegram_id, message, buttons[int(parts[1]) - 1]["callback_data"])
        await self.settle()
        self.show_new()


async def run_sandbox(script: str | None = None) -> None:
    sandbox = Sandbox()
    await sandbox.start()
    try:
        if script:
            lines = Path(script).read_text(encoding="utf-8").splitlines()
            for line in lines:
                sandbox.print(f"> {line}")
                if not await sandbox.handle(line):
                    break
        else:
            loop = asyncio.get_running_loop()
            while True:
                sandbox.print(f"[{sandbox.current.name}] ", )
                try:
                    line = await loop.run_in_executor(None, sys.stdin.readline)
                except (KeyboardInterrupt, EOFError):
                    break
                if not line:
                    break
                if not await sandbox.handle(line):
                    break
    finally:
        await sandbox.stop()
