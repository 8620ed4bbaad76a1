"""On a real PostgreSQL: two replicas run the feedback producers at the same moment; every escalation and
every digest is queued and sent once, the writers' audit events are released once, and the private rows
are gone after they were sent."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from telegram import Bot

from bot.sandbox.fakeapi import FakeBotAPI
from bot.sender import Sender
from storage import feedback
from storage.clock import FrozenClock
from storage.context import Context
from storage.db import Database
from storage.models.audit import AuditEvent
from storage.feedback import FeedbackDigest, FeedbackTicket
from storage.models.org import Member
from storage.models.outbox import Outbox
from tests.support.botenv import DEFAULT_NOW

SECRET = b"pg-test-secret-for-feedback"


async def replica(pg_url, fake, clock):
    db = Database(pg_url)
    ctx = Context(clock=clock, secret=SECRET)
    bot = Bot(token=fake.token, base_url=f"{fake.base_url}/bot")
    await bot.initialize()
    return db, ctx, Sender(bot, db, ctx, per_second=0, chat_interval=0), bot


async def both(replicas, job):
    async def one(db, ctx):
        async with db.session() as s:
            return await job(s, ctx)
    return await asyncio.gather(*(one(db, ctx) for db, ctx, _, _ in replicas))


async def test_two_replicas_escalate_and_send_the_digest_once(pg_url):
    fake = FakeBotAPI()
    await fake.start()
    clock = FrozenClock(DEFAULT_NOW)  # Thursday 3 Dec, 09:00 local
    replicas = [await replica(pg_url, fake, clock) for _ in range(2)]
    db, ctx = replicas[0][0], replicas[0][1]
    try:
        async with db.session() as s:
            s.add_all([Member(employee_no=f"A{i}", name=f"admin{i}", roles="employee,admin", chat_id=800 + i,
                              telegram_user_id=800 + i, created_at=clock.now()) for i in range(2)])
            s.add_all([Member(employee_no=f"W{i}", name=f"writer{i}", roles="employee", chat_id=900 + i,
                              telegram_user_id=900 + i, created_at=clock.now()) for i in range(6)])
        async with db.session() as s:
            writers = (await s.execute(select(Member).where(Member.employee_no.like("W%")))).scalars().all()
            for w in writers:
                for n in range(5):
                    await feedback.submit(s, ctx, w, category="safety", text=f"隐患 {w.id}-{n}")
        assert sum(await both(replicas, feedback.apply_pending)) == 30  # filed once, by one of them
        await asyncio.gather(*(r[2].drain() for r in replicas))

        clock.set(datetime(2026, 12, 9, 9, 0, tzinfo=ctx.tz))  # Wednesday: past the Tuesday deadline
        for _ in range(3):
            await both(replicas, feedback.escalate)
        await asyncio.gather(*(r[2].drain() for r in replicas))
        await both(replicas, feedback.scrub_outbox)
        released = await both(replicas, feedback.release_audit)
        assert sum(released) == 30  # the writers' submissions enter the audit trail once

        escalations = Counter(c[1]["chat_id"] for c in fake.calls
                              if c[0] == "sendMessage" and "无首次答复" in c[1].get("text", ""))
        assert escalations == {800: 30, 801: 30}
        async with db.session() as s:
            counts = (await s.execute(select(FeedbackTicket.escalations, func.count()).group_by(
                FeedbackTicket.escalations))).all()
            assert counts == [(1, 30)]
            private = (await s.execute(select(func.count()).where(
                Outbox.kind.in_(feedback.PRIVATE_KINDS)))).scalar_one()
            assert private == 0
            submitted = (await s.execute(select(func.count()).where(
                AuditEvent.action == "feedback.submitted", AuditEvent.actor_member_id.is_(None)))).scalar_one()
            assert submitted == 30

        # Resolve a few with a measure, then the first of January arrives on both replicas at once.
        async with db.session() as s:
            admin = (await s.execute(select(Member).where(Member.employee_no == "A0"))).scalar_one()
            tickets = (await s.execute(select(FeedbackTicket).limit(3))).scalars().all()
            for t in tickets:
                await feedback.office_message(s, ctx, admin, t.id, "已处理")
                await feedback.resolve(s, ctx, admin, t.id, root_cause="巡检缺位", measure="每周安全巡检")
        clock.set(datetime(2027, 1, 1, 9, 5, tzinfo=ctx.tz))
        queued = await both(replicas, feedback.monthly_digest)
        assert sorted(queued) == [0, 8]
        await asyncio.gather(*(r[2].drain() for r in replicas))
        assert await both(replicas, feedback.monthly_digest) == [0, 0]
        digests = Counter(c[1]["chat_id"] for c in fake.calls
                          if c[0] == "sendMessage" and "每周安全巡检" in c[1].get("text", ""))
        assert len(digests) == 8 and set(digests.values()) == {1}
        async with db.session() as s:
            row = await s.get(FeedbackDigest, "2026-12")
            assert (row.tickets, row.recipients) == (3, 8)
    finally:
        for db_, _, _, bot in replicas:
            await bot.shutdown()
            await db_.dispose()
        await fake.stop()


async def test_a_double_tap_on_submit_from_two_replicas_stores_one_ticket(pg_url):
    from storage import dialogs
    from storage.errors import Refused

    clock = FrozenClock(DEFAULT_NOW)
    dbs = [Database(pg_url) for _ in range(2)]
    ctx = Context(clock=clock, secret=SECRET)
    try:
        async with dbs[0].session() as s:
            s.add(Member(employee_no="W1", name="writer", roles="employee", chat_id=901, telegram_user_id=901,
                         created_at=clock.now()))
        async with dbs[0].session() as s:
            writer = (await s.execute(select(Member).where(Member.employee_no == "W1"))).scalar_one()
            await feedback.draft_start(s, ctx, writer, "work")
        async with dbs[0].session() as s:
            writer = await s.get(Member, writer.id)
            dialog = await dialogs.get(s, writer.id)
            await feedback.draft_input(s, ctx, writer, dialog, text="车间太吵", attachment=None)

        async def press(db):
            try:
                async with db.session() as s:
                    me = await s.get(Member, writer.id)
                    return (await feedback.draft_submit(s, ctx, me, anonymous=True)).id
            except Refused as refused:
                return refused.template

        results = await asyncio.gather(*(press(db) for db in dbs))
        assert sorted(results, key=len)[-1] == "button_expired", results
        async with dbs[0].session() as s:
            await feedback.apply_pending(s, ctx)
        async with dbs[0].session() as s:
            assert (await s.execute(select(func.count()).select_from(FeedbackTicket))).scalar_one() == 1
    finally:
        for db in dbs:
            await db.dispose()
