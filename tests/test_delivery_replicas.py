"""Three `python -m bot run` replicas on one PostgreSQL, one fake Bot API enforcing the limits: reminders, 200
reminders to one owner and a 2,000-member lesson all go out once in total, within the limits, and killing the
replica that sends (kill -9) mid-broadcast loses nothing.

Rates are scaled up from Telegram's (30/s, 1/s per chat) so the test stays short; the fake enforces the same
scaled limits, as an operator sets TONGXIN_RATE_PER_SECOND and TONGXIN_CHAT_INTERVAL to what Telegram allows.
"""
from __future__ import annotations

import asyncio
import signal
from collections import Counter

from sqlalchemy import select

from bot.sandbox.fakeapi import FakeBotAPI
from storage import outbox
from storage.clock import Clock
from storage.context import Context
from storage.db import Database
from storage.models.outbox import SendLease
from tests.support.delivery import bot_process, stopped
from tests.support.postgres import free_port

RATE, CHAT = 200, 0.1  # messages/s overall, seconds between two messages to one chat
OWNER, MEMBERS = 600_000, [610_000 + i for i in range(2000)]
TO_MEMBERS = set(MEMBERS)
LESSON, REMINDER = "本周微党课", "任务提醒"


async def _replicas_alive(db: Database) -> dict[str, int]:
    """What an operator reads in `send_leases`: live replica ids, and the pid of the one that sends the outbox."""
    async with db.session() as s:
        leases = (await s.execute(select(SendLease).where(SendLease.lease_until > Context(clock=Clock()).now()))
                  ).scalars().all()
    return {lease.name: int(lease.holder.split(".")[0]) for lease in leases}


async def _enqueue_everything(db: Database) -> int:
    """The owner's 200 reminders first (so they would fill every claim), then 1,000 reminders, then the lesson."""
    ctx = Context(clock=Clock())
    rows = [outbox.row(ctx, key=f"owner:{i}", chat_id=OWNER, kind="tasks.reminder",
                       messages=[outbox.message(f"{REMINDER} {i}")]) for i in range(200)]
    rows += [outbox.row(ctx, key=f"reminder:{c}", chat_id=c, kind="tasks.reminder",
                        messages=[outbox.message(REMINDER)]) for c in MEMBERS[:1000]]
    rows += [outbox.row(ctx, key=f"lesson:{c}", chat_id=c, kind="lesson.push", messages=[outbox.message(LESSON)])
             for c in MEMBERS]
    async with db.session() as s:
        return await outbox.enqueue_many(s, rows)


def _logs(tmp_path) -> str:
    return "\n".join(log.read_text(errors="replace")[-3000:] for log in sorted(tmp_path.glob("bot-*.log")))


def _received(fake: FakeBotAPI) -> Counter:
    return Counter((chat, m.get("text")) for chat, sent in list(fake.sent.items()) for m in sent)


async def test_three_replicas_send_everything_once_within_the_limits_and_survive_losing_the_sender(
        pg_url, tmp_path):
    fake = FakeBotAPI(token="4245:delivery-replicas")
    await fake.start()
    fake.enforce_limits(RATE, CHAT)
    db = Database(pg_url)
    procs: list[asyncio.subprocess.Process] = []
    try:
        for n in range(3):  # webhook mode: nobody competes for getUpdates
            port = free_port()
            with open(tmp_path / f"bot-{n}.log", "wb") as log:
                procs.append(await bot_process(
                    fake, tmp_path / f"replica-{n}", log=log, DATABASE_URL=pg_url, TONGXIN_HTTP_PORT=str(port),
                    WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", WEBHOOK_SECRET="replica-secret",
                    TONGXIN_RATE_PER_SECOND=str(RATE), TONGXIN_CHAT_INTERVAL=str(CHAT),
                    TONGXIN_OUTBOX_LEASE_SECONDS="3"))
        for _ in range(600):  # generous: three interpreters start on two busy cores
            assert all(p.returncode is None for p in procs), _logs(tmp_path)
            if sum(name.startswith("replica:") for name in await _replicas_alive(db)) == 3:
                break
            await asyncio.sleep(0.1)
        else:
            raise TimeoutError(f"three replicas did not come up\n{_logs(tmp_path)}")

        expected = await _enqueue_everything(db)  # as a CLI `lessons publish` would: NOTIFY wakes the sender
        assert expected == 3200
        await fake.wait_for(lambda: sum(1 for _, _, c in fake.accepted if c in TO_MEMBERS) >= 1600, 60)
        lessons_before = sum(n for (chat, text), n in _received(fake).items() if text == LESSON)
        sender_pid = (await _replicas_alive(db))["outbox"]
        [killed] = [p for p in procs if p.pid == sender_pid]
        killed.kill()  # mid-broadcast, the replica that sends
        await killed.wait()
        assert 0 < lessons_before < len(MEMBERS), "killed in the middle of the broadcast"

        # Generous: about 35 s on two busy cores (the owner's 200 reminders, paced per chat, are the long pole).
        await fake.wait_for(lambda: len(fake.accepted) >= expected and len(_received(fake)) >= expected, 120)
        received = _received(fake)
        assert len(received) == expected, "nothing lost"
        async with db.session() as s:
            uncertain = await outbox.uncertain_total(s)
        duplicates = sum(n - 1 for n in received.values())
        print(f"duplicates {duplicates}, counted uncertain {uncertain}")
        assert duplicates <= uncertain, "only a request on the wire at the kill may have gone twice, and it is counted"
        assert (await _replicas_alive(db))["outbox"] != sender_pid, "another replica took the outbox over"
        assert fake.throttled == 0, fake.refused
        assert fake.peak_per_second(fake.limits_since) <= RATE
        assert fake.min_chat_gap(fake.limits_since) >= CHAT - fake.limits.tolerance

        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                await stopped(proc, fake, 30)
                assert proc.returncode == 0
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        await db.dispose()
        await fake.stop()
