"""`python -m bot sandbox`: the real bot against the fake Bot API, a demo organisation, a terminal chat.

Pick a persona, type messages as them and press buttons by number. Typing `{code}` stands for the current
persona's invite code, so `/start {code}` registers them. The demo data lives in `sandbox.db` in the data
folder (`TONGXIN_DATA_DIR`, default `./data`) and the chats in `sandbox-chats.json` beside it, so a restart
continues where it stopped; `--fresh` starts over. `cli ARGS` runs `python -m bot ARGS` on the same data.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
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
  who               list the personas: role, department / branch, registered or their invite code
  press M B         press button B of message M (numbers as shown); what changed is printed
  file PATH [CAPTION]  send a file (e.g. a .csv roster with caption /roster)
  photo PATH [CAPTION] send a photo (e.g. evidence for a task, after pressing its report button)
  reply M TEXT      reply to message M (to a task card: progress; a ticket: a reply; a survey question: an answer)
  tick              run one scheduler tick now (it also runs every few seconds, except with --script)
  cli ARGS          run `python -m bot ARGS` on the sandbox's data (e.g. `cli report --out r.xlsx`)
  show              show the current persona's chat
  help              this text;  quit  leave
Anything else is sent as a message from the current persona; {code} is replaced by their invite code."""

DB_FILE, CHATS_FILE, FILES_DIR = "sandbox.db", "sandbox-chats.json", "sandbox-files"
NOT_INSIDE = {"run", "sandbox"}  # a second bot on the same data would fight the sandbox's own


def _buttons(markup: dict | None) -> list[dict]:
    return [b for row in (markup or {}).get("inline_keyboard", []) for b in row]


def _plain(text: str | None) -> str:
    return unescape(re.sub(r"<[^>]+>", "", text or ""))


class Sandbox:
    def __init__(self, out=sys.stdout, *, fresh: bool = False):
        self.out = out
        self.fresh = fresh
        self.fake = FakeBotAPI(username="tongxin_sandbox_bot")
        self.runtime: Runtime | None = None
        self.codes: dict[str, str] = {}
        self.people = demo.personas()
        self.current = self.people[0]
        self.seen: dict[int, int] = {}  # chat -> how many of its changes were printed
        self.data_dir = Path(".")
        self.db_path = Path(DB_FILE)

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.db_path}"

    def cli_env(self) -> dict[str, str]:
        """The environment a `python -m bot …` needs to work on the sandbox's data (not on Telegram)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
        env.update(DATABASE_URL=self.database_url, TONGXIN_DATA_DIR=str(self.data_dir))
        return env

    async def start(self, *, scheduler: bool = True) -> None:
        """`scheduler=False` (the --script mode): ticks happen only on `tick` (and after `cli`), so a script
        replays the same way each time rather than racing the clock for the message numbers it presses."""
        cfg = config_module.load()
        self.data_dir = Path(cfg.data_dir).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.db_path = self.data_dir / DB_FILE
        chats = self.data_dir / CHATS_FILE
        if self.fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
            chats.unlink(missing_ok=True)
        elif chats.is_file():
            self.fake.restore(json.loads(chats.read_text(encoding="utf-8")))
        base = await self.fake.start()
        cfg = cfg.with_(token=self.fake.token, api_url=base, database_url=self.database_url,
                        admins=cfg.admins | {demo.ADMIN_TELEGRAM_ID}, tick_seconds=min(cfg.tick_seconds, 5),
                        chat_interval=0, webhook_url=None, http_port=None, bot_username=None)
        for p in self.people:
            self.fake.user(p.telegram_id, p.name, p.language)
        self.runtime = Runtime(cfg)
        await self.runtime.start()
        async with self.runtime.db.session() as session:
            seeded = await demo.is_seeded(session)
            self.fake.number_updates_after(await demo.last_update_id(session))
        if seeded:
            async with self.runtime.db.session() as session:
                self.codes = await demo.fresh_codes(session, self.runtime.ctx)
            made = "the demo data as you left it (start with --fresh to begin again)"
        else:
            entries = roster.check(demo.DEMO_ROSTER.encode("utf-8"), "demo.csv")
            async with self.runtime.db.session() as session:
                result = await roster.apply(session, self.runtime.ctx, entries)
            self.codes = {inv.employee_no: inv.code for inv in result.invitations}
            async with self.runtime.db.session() as session:
                made = f"{len(entries)} members; " + ", ".join(await demo.seed_activities(session, self.runtime.ctx))
        if scheduler:
            self.runtime.start_scheduler()
        self.seen = {chat: len(changes) for chat, changes in self.fake.changes.items()}
        self.print(f"Tongxin sandbox: fake Bot API at {base}, bot @{self.fake.username}, database {self.db_path}")
        self.print(f"Demo organisation: {made}. You are persona 1 (admin).")
        self.print("The CLI on this data, from another shell: "
                   f"DATABASE_URL={self.database_url} TONGXIN_DATA_DIR={self.data_dir} python -m bot …")
        self.print(HELP)
        await self.who()

    async def stop(self) -> None:
        if self.runtime is not None:
            stopping = asyncio.create_task(self.runtime.stop())
            while not stopping.done():
                await self.fake.release_polls()
                await asyncio.sleep(0.01)
            self.save()
        await self.fake.stop()

    def save(self) -> None:
        """The chats as they are now, so a restart shows them and their buttons still press."""
        path = self.data_dir / CHATS_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.fake.snapshot(), ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    async def who(self) -> None:
        async with self.runtime.db.session() as session:
            standing = await demo.standings(session)
        for p in self.people:
            s = standing[p.telegram_id]
            mark = "*" if p is self.current else " "
            code = self.codes.get(p.employee_no or "", "")
            if not s.active:
                state = "deactivated"
            elif s.registered:
                state = "registered"
            elif p.employee_no is None:
                state = "admin by Telegram id, no code needed"
            else:
                state = f"not registered, code {code}" if code else "not registered"
            self.print(f" {mark}{p.number:>2}  {p.name} · {s.roles or '-'} · {s.unit or '-'} · {state}")

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait for the bot to handle what was sent, then for the outbox rows it queued (an invitation to
        others, a notice): else `as N` right after may show N's chat before their message arrived."""
        deadline = time.monotonic() + timeout
        while self.runtime.processor.finished < self.fake.update_count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.wait_for(self.runtime.sender.drain(), timeout)
        await asyncio.sleep(0.05)

    def _print_message(self, number: int, shape: dict, message: dict) -> None:
        text = shape.get("text") if "text" in message else message.get("caption") or ""
        if "document" in message:
            name = message["document"]["file_name"]
            text = f"[file {name}{self._saved(number, message['document']['file_id'], name)}] {text}"
        elif "photo" in message:
            text = f"[photo{self._saved(number, message['photo'][-1]['file_id'], 'photo.png')}] {text}"
        self.print(f"--- #{number} {self.fake.username}:")
        self.print(_plain(text))
        markup = shape.get("reply_markup") if "text" in message else message.get("reply_markup")
        buttons = _buttons(markup)
        if buttons:
            self.print("    " + "  ".join(f"[{i}] {b['text']}" for i, b in enumerate(buttons, start=1)))
        menu = [b if isinstance(b, str) else b.get("text", "") for row in (markup or {}).get("keyboard", [])
                for b in row]
        if menu:
            self.print("    menu: " + " | ".join(menu))

    def _saved(self, number: int, file_id: str, name: str) -> str:
        """Write a file the bot sent to `sandbox-files/` in the data folder, so a person can open the chart or
        the workbook the chat only names; " → path", or "" when the file is gone (a chat restored from disk)."""
        if file_id not in self.fake.files:
            return ""
        folder = self.data_dir / FILES_DIR
        folder.mkdir(exist_ok=True)
        path = folder / f"{self.current.number}-{number}-{Path(name).name}"
        path.write_bytes(self.fake.files[file_id][1])
        return f" → {path}"

    def _print_edit(self, number: int, change: dict) -> None:
        before, after = change["before"], change["after"]
        self.print(f"--- #{number} edited:")
        if before.get("text") != after.get("text"):
            self.print(_plain(after.get("text")))
        else:
            self.print("    (text unchanged)")
        old, new = _buttons(before.get("reply_markup")), _buttons(after.get("reply_markup"))
        if old != new:
            if new:
                self.print("    buttons now: " + "  ".join(f"[{i}] {b['text']}" for i, b in enumerate(new, start=1)))
            else:
                self.print("    buttons removed")

    def show_new(self, everything: bool = False) -> int:
        """Print what changed in the current persona's chat since last shown (or all of it); how many changes."""
        chat = self.current.telegram_id
        messages = self.fake.messages(chat)
        changes = self.fake.changes[chat]
        if everything:
            for number, m in enumerate(messages, start=1):
                self._print_message(number, self.fake.shape(m), m)
            self.seen[chat] = len(changes)
            return len(messages)
        numbers = {m["message_id"]: (i, m) for i, m in enumerate(messages, start=1)}
        new = changes[self.seen.get(chat, 0):]
        for change in new:
            number, message = numbers[change["message_id"]]
            if change["kind"] == "sent":
                self._print_message(number, change["after"], message)
            elif change["kind"] == "edited":
                self._print_edit(number, change)
            else:
                self.print(f"--- #{number} deleted")
        self.seen[chat] = len(changes)
        return len(new)

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
            await self.who()
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
        elif word == "cli":
            await self.cli(rest)
        elif word == "reply":
            number, _, text = rest.strip().partition(" ")
            messages = self.fake.messages(self.current.telegram_id)
            if not number.isdigit() or not 0 < int(number) <= len(messages) or not text.strip():
                self.print("usage: reply MESSAGE_NUMBER TEXT")
            elif messages[int(number) - 1].get("_deleted"):
                self.print("that message was deleted")
            else:
                await self.fake.send_text(self.current.telegram_id, text.strip(), reply_to=messages[int(number) - 1])
                await self.settle()
                self.show_new()
        elif word == "file":
            path, _, caption = rest.partition(" ")
            p = Path(path)
            if not p.is_file():
                self.print(f"no such file: {path}")
            else:
                await self.fake.send_document(self.current.telegram_id, p.name, p.read_bytes(), caption or None)
                await self.settle()
                self.show_new()
        elif word == "photo":
            path, _, caption = rest.partition(" ")
            p = Path(path)
            if not p.is_file():
                self.print(f"no such file: {path}")
            else:
                await self.fake.send_photo(self.current.telegram_id, p.read_bytes(), caption or None)
                await self.settle()
                self.show_new()
        else:
            code = self.codes.get(self.current.employee_no or "", "")
            await self.fake.send_text(self.current.telegram_id, line.replace("{code}", code))
            await self.settle()
            self.show_new()
        self.save()
        return True

    async def press(self, rest: str) -> None:
        parts = rest.split()
        messages = self.fake.messages(self.current.telegram_id)
        if len(parts) != 2 or not all(x.isdigit() for x in parts) or not 0 < int(parts[0]) <= len(messages):
            self.print("usage: press MESSAGE_NUMBER BUTTON_NUMBER")
            return
        message = messages[int(parts[0]) - 1]
        buttons = _buttons(message.get("reply_markup"))
        if not 0 < int(parts[1]) <= len(buttons):
            self.print("that message has no such button")
            return
        data = buttons[int(parts[1]) - 1]["callback_data"]
        query = await self.fake.press_data(self.current.telegram_id, message, data)
        await self.settle()
        changed = self.show_new()
        answer = self.fake.callback_answers.get(query) or {}
        if answer.get("text"):
            self.print(f"    ({'alert' if answer.get('show_alert') else 'popup'}) {answer['text']}")
        elif not changed:
            self.print("    (the press changed nothing in this chat)")

    async def cli(self, rest: str) -> None:
        """`python -m bot ARGS` on the sandbox's database and data folder; then a tick sends what it queued."""
        try:
            args = shlex.split(rest)
        except ValueError as exc:
            self.print(f"cli: {exc}")
            return
        if not args or args[0] in NOT_INSIDE:
            self.print("usage: cli COMMAND [ARGS…]  (any `python -m bot` command but run and sandbox)")
            return
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, env=self.cli_env(), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output, _ = await proc.communicate()
        text = output.decode("utf-8", "replace").rstrip()
        if text:
            self.print(text)
        self.print(f"cli: exit {proc.returncode}")
        if proc.returncode == 0:
            result = await self.runtime.tick()
            self.print(f"tick: {result['sent']} sent")
            self.show_new()


async def run_sandbox(script: list[str] | None = None, *, fresh: bool = False) -> None:
    """The terminal chat; `script`: its lines instead of the keyboard (`--script FILE`)."""
    sandbox = Sandbox(fresh=fresh)
    await sandbox.start(scheduler=script is None)
    try:
        if script is not None:
            for line in script:
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
