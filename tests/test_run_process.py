"""`python -m bot run` as an operator starts it: env contract, polling a Bot API, clean stop on SIGTERM/SIGINT."""
from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.sandbox.fakeapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_run_answers_over_the_bot_api_and_stops_cleanly(tmp_path, sig):
    fake = FakeBotAPI(token="4242:run-process-token")
    await fake.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "WEBHOOK_"))}
    env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_URL=fake.base_url, TONGXIN_DATA_DIR=str(tmp_path),
               TONGXIN_ADMINS="31337", TONGXIN_TICK_SECONDS="1")
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                                                stdin=asyncio.subprocess.DEVNULL,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        fake.user(31337, "Operator", "en")
        await fake.send_text(31337, "/help")
        await fake.wait_for(lambda: fake.messages(31337) and "chat:31337" in fake.commands, timeout=60)
        assert "/roster" in fake.messages(31337)[0]["text"]
        proc.send_signal(sig)
        while proc.returncode is None:
            await fake.release_polls()
            try:
                await asyncio.wait_for(proc.wait(), 0.2)
            except asyncio.TimeoutError:
                pass
        _, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        assert fake.token not in err.decode(), "the token must never reach the logs"
        assert (tmp_path / "tongxin.db").exists()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await fake.stop()
