"""Helpers for the delivery tests: many members at once, a broadcast straight into the outbox, a bot process."""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from storage import outbox
from storage.models.org import Member
from storage.models.outbox import BROADCAST

ROOT = Path(__file__).resolve().parents[2]


async def crowd(db, ctx, n: int, first_chat: int = 700_000) -> list[int]:
    """`n` registered members (no conversation needed to receive a broadcast); their chat ids."""
    async with db.session() as s:
        s.add_all([Member(employee_no=f"C{i}", name=f"成员{i}", roles="employee", chat_id=first_chat + i,
                          telegram_user_id=first_chat + i, created_at=ctx.now()) for i in range(n)])
    return [first_chat + i for i in range(n)]


async def broadcast(db, ctx, chats: list[int], key: str, text: str, lane: int = BROADCAST) -> int:
    rows = [outbox.row(ctx, key=f"{key}:{chat}", chat_id=chat, messages=[outbox.message(text)],
                       kind="lesson.push", lane=lane) for chat in chats]
    async with db.session() as s:
        return await outbox.enqueue_many(s, rows)


def got(fake, chats, text: str) -> list[int]:
    """How many times each chat received `text`."""
    return [sum(1 for m in fake.messages(c) if m.get("text") == text) for c in chats]


async def bot_process(fake, data_dir, log=None, **env_vars) -> asyncio.subprocess.Process:
    """`python -m bot run` as an operator starts it, against the fake Bot API (its log into the file `log`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "WEBHOOK_",
                                                                       "TONGXIN_"))}
    env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_URL=fake.base_url, TONGXIN_DATA_DIR=str(data_dir),
               TONGXIN_TICK_SECONDS="3600", **env_vars)
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                                                stdin=asyncio.subprocess.DEVNULL,
                                                stdout=asyncio.subprocess.DEVNULL,
                                                stderr=log or asyncio.subprocess.PIPE)


async def stopped(proc, fake, timeout: float) -> None:
    """Wait for the process to exit (answering its long polls so it is not held up by them)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while proc.returncode is None:
        if loop.time() > deadline:
            raise TimeoutError("the bot did not exit in time")
        await fake.release_polls()
        try:
            await asyncio.wait_for(proc.wait(), 0.2)
        except asyncio.TimeoutError:
            pass
