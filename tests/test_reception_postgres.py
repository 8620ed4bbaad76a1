"""On a real PostgreSQL: capacity holds when many members race for the last places, from several replicas."""
from __future__ import annotations

import asyncio
from datetime import date, time

from sqlalchemy import func, select

from bot.sandbox.fakeapi import FakeBotAPI
from storage.clock import FrozenClock
from storage.context import Context
from storage.db import Database
from storage.errors import Refused
from storage.models.org import Member
from storage.reception import BOOKED, WAITING, Booking, ReceptionSlot
from storage.reception import DaySpec, create
from storage.reception import book, book_typed, cancel
from tests.support.botenv import DEFAULT_NOW, BotEnv, make_config

RACERS = 200
PLACES = 10


async def _setup(db: Database, ctx: Context) -> tuple[int, list[int]]:
    async with db.session() as s:
        people = [Member(employee_no=f"E{i:04d}", name=f"员工{i}", roles="employee" if i else "leader",
                         language="zh", reachable=True, active=True, party_member=False, created_at=ctx.now())
                  for i in range(RACERS + 1)]
        s.add_all(people)
        await s.flush()
        days = await create(s, ctx, DaySpec(leader_no="E0000", day=date(2026, 12, 15), start=time(14),
                                            end=time(14, 30), slot_minutes=30, capacity=PLACES, place="礼堂"),
                            actor_id=None)
        slot_id = (await s.execute(select(ReceptionSlot.id).where(ReceptionSlot.day_id == days[0].id))).scalar_one()
        return slot_id, [p.id for p in people[1:]]


async def test_two_hundred_members_race_for_ten_places_and_exactly_ten_get_one(pg_url):
    ctx = Context(clock=FrozenClock(DEFAULT_NOW))
    replicas = [Database(pg_url) for _ in range(4)]
    try:
        slot_id, member_ids = await _setup(replicas[0], ctx)

        async def attempt(i: int, member_id: int) -> str:
            async with replicas[i % len(replicas)].session() as s:
                member = await s.get(Member, member_id)
                result = await book(s, ctx, member, slot_id, f"事项 {member_id}")
                return "full" if result.full else result.booking.status

        outcomes = await asyncio.gather(*(attempt(i, m) for i, m in enumerate(member_ids)))
        assert outcomes.count(BOOKED) == PLACES
        assert outcomes.count("full") == RACERS - PLACES
        async with replicas[0].session() as s:
            held = (await s.execute(select(func.count()).where(Booking.slot_id == slot_id,
                                                               Booking.status == BOOKED))).scalar_one()
            assert held == PLACES
            assert (await s.get(ReceptionSlot, slot_id)).booked == PLACES
    finally:
        for db in replicas:
            await db.dispose()


async def test_concurrent_cancellations_hand_each_freed_place_to_a_different_waiting_member(pg_url):
    ctx = Context(clock=FrozenClock(DEFAULT_NOW))
    replicas = [Database(pg_url) for _ in range(2)]
    try:
        slot_id, member_ids = await _setup(replicas[0], ctx)
        holders, waiters = member_ids[:PLACES], member_ids[PLACES:PLACES + 20]
        for member_id in holders + waiters:
            async with replicas[0].session() as s:
                await book(s, ctx, await s.get(Member, member_id), slot_id, "事项", waitlist=True)

        async def leave(i: int, member_id: int) -> None:
            async with replicas[i % 2].session() as s:
                booking = (await s.execute(select(Booking).where(Booking.member_id == member_id))).scalar_one()
                await cancel(s, ctx, await s.get(Member, member_id), booking.id)

        await asyncio.gather(*(leave(i, m) for i, m in enumerate(holders)))
        async with replicas[0].session() as s:
            offered = (await s.execute(select(Booking.member_id).where(Booking.status == "offered")
                                       .order_by(Booking.member_id))).scalars().all()
            still_waiting = (await s.execute(select(func.count()).where(Booking.status == WAITING))).scalar_one()
            assert offered == sorted(waiters[:PLACES])  # first in, first out, each place once
            assert still_waiting == len(waiters) - PLACES
            assert (await s.get(ReceptionSlot, slot_id)).booked == PLACES
    finally:
        for db in replicas:
            await db.dispose()


async def test_one_member_pressing_every_slot_at_once_gets_one_booking(pg_url):
    ctx = Context(clock=FrozenClock(DEFAULT_NOW))
    replicas = [Database(pg_url) for _ in range(2)]
    try:
        async with replicas[0].session() as s:
            s.add_all([Member(employee_no=no, name=no, roles=roles, language="zh", reachable=True, active=True,
                              party_member=False, created_at=ctx.now())
                       for no, roles in (("L1", "leader"), ("E1", "employee"))])
            await s.flush()
            days = await create(s, ctx, DaySpec(leader_no="L1", day=date(2026, 12, 15), start=time(14),
                                                end=time(16), slot_minutes=15, capacity=3, place="礼堂"),
                                actor_id=None)
            slot_ids = (await s.execute(select(ReceptionSlot.id)
                                        .where(ReceptionSlot.day_id == days[0].id))).scalars().all()
            member_id = (await s.execute(select(Member.id).where(Member.employee_no == "E1"))).scalar_one()

        async def attempt(i: int, slot_id: int) -> str:
            # Half go through the chat's path, which keeps the transaction (to end the flow) after a refusal:
            # the place its conditional update took must be given back all the same.
            try:
                async with replicas[i % 2].session() as s:
                    member = await s.get(Member, member_id)
                    if i % 2:
                        result = await book_typed(s, ctx, member, slot_id, "事项", waitlist=False)
                        return result.template if isinstance(result, Refused) else "booked"
                    await book(s, ctx, member, slot_id, "事项")
                    return "booked"
            except Refused as exc:
                return exc.template

        outcomes = await asyncio.gather(*(attempt(i, sid) for i, sid in enumerate(slot_ids)))
        assert outcomes.count("booked") == 1
        assert set(outcomes) == {"booked", "reception_one_per_day"}
        async with replicas[0].session() as s:
            assert (await s.execute(select(func.sum(ReceptionSlot.booked)))).scalar_one() == 1
    finally:
        for db in replicas:
            await db.dispose()


async def test_through_the_bot_two_hundred_members_send_their_topic_at_once_and_190_are_told_it_is_full(
        pg_url, tmp_path, clock):
    """The issue's scenario end to end: the bot handles updates from different chats concurrently, all on one
    PostgreSQL; every member sees the slot free, picks it, and sends the topic in the same instant."""
    fake = FakeBotAPI()
    await fake.start()
    env = BotEnv(fake, make_config(fake, tmp_path, pg_url), clock)
    await env.start(upgrade=False)
    try:
        first_user = 700000
        async with env.db.session() as s:
            s.add_all([Member(employee_no=f"E{i:04d}", name=f"员工{i}", roles="employee" if i else "leader",
                              language="zh", reachable=True, active=True, party_member=False, created_at=env.ctx.now(),
                              telegram_user_id=first_user + i if i else None, chat_id=first_user + i if i else None)
                       for i in range(RACERS + 1)])
            await s.flush()
            days = await create(s, env.ctx, DaySpec(leader_no="E0000", day=date(2026, 12, 15), start=time(14),
                                                    end=time(14, 30), slot_minutes=30, capacity=PLACES,
                                                    place="礼堂"), actor_id=None)
            slot_id = (await s.execute(select(ReceptionSlot.id).where(ReceptionSlot.day_id == days[0].id))).scalar_one()
        people = [env.person(first_user + i, f"员工{i}") for i in range(1, RACERS + 1)]

        await asyncio.gather(*(fake.send_text(p.id, "/reception") for p in people))
        await env.settle(timeout=120)
        assert all(f"14:00（余{PLACES}）" in str(p.last.get("reply_markup")) for p in people)
        await asyncio.gather(*(fake.press(p.id, p.last, f"14:00（余{PLACES}）") for p in people))
        await env.settle(timeout=120)
        assert all("请输入您要反映的事项" in p.texts()[-1] for p in people)

        await asyncio.gather(*(fake.send_text(p.id, f"事项 {p.id}") for p in people))
        await env.settle(timeout=120)
        replies = [p.texts()[-1] for p in people]
        assert sum("预约成功" in r for r in replies) == PLACES
        told_full = [p for p, r in zip(people, replies)
                     if "已约满" in r and "加入候补" in str(p.last.get("reply_markup"))]
        assert len(told_full) == RACERS - PLACES
        async with env.db.session() as s:
            held = (await s.execute(select(Booking.member_id).where(Booking.slot_id == slot_id,
                                                                    Booking.status == BOOKED))).scalars().all()
            assert len(held) == PLACES and (await s.get(ReceptionSlot, slot_id)).booked == PLACES
            lucky = {first_user + int(no[1:]) for no in (await s.execute(
                select(Member.employee_no).where(Member.id.in_(held)))).scalars()}
        assert lucky == {p.id for p, r in zip(people, replies) if "预约成功" in r}
    finally:
        await env.stop()
        await fake.stop()
