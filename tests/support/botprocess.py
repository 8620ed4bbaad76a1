"""`python -m bot …` as a subprocess, the way an operator runs it, for the crash and lock tests."""
from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def environment(fake, data_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "WEBHOOK_",
                                                                    "TONGXIN_"))}
    env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_URL=fake.base_url, TONGXIN_DATA_DIR=str(data_dir),
               TONGXIN_TICK_SECONDS="3600")
    env.update(extra)
    return env


async def spawn(env: dict, *args: str) -> asyncio.subprocess.Process:
    """Start `python -m bot ARGS` (`run` by default); its stderr goes to a file (a pipe nobody reads would
    fill up and stall the process), read back by `finish`."""
    log = tempfile.NamedTemporaryFile(prefix="tongxin-proc-", suffix=".log", delete=False)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *(args or ("run",)), cwd=ROOT, env=env,
                                                stdin=asyncio.subprocess.DEVNULL,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=log)
    log.close()
    proc.log_path = log.name
    return proc


async def finish(proc: asyncio.subprocess.Process, fake, timeout: float = 120) -> tuple[int, str]:
    """Wait for the process to exit (answering its long polls meanwhile); (exit code, stderr)."""
    waiting = asyncio.ensure_future(proc.wait())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not waiting.done():
        if loop.time() > deadline:
            proc.kill()
            break
        await fake.release_polls()
        await asyncio.wait({waiting}, timeout=0.2)
    await waiting
    path = Path(proc.log_path)
    err = path.read_text(errors="replace")
    path.unlink(missing_ok=True)
    return proc.returncode, err


async def kill9(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.kill()
    await proc.wait()
    Path(proc.log_path).unlink(missing_ok=True)
