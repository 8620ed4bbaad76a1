"""The outbox and its sender, against the fake Bot API: once, in order, under failures and restarts."""
from __future__ import annotations

from sqlalchemy import select

from storage import outbox
from storage.models.org import Member
from storage.models.outbox import DEAD, PENDING, SENT, Outbox

ROSTER = "employee_no,name,department,branch,party_member,roles\n" + "".join(
    f"{2000 + i},成员{i},生产部,第一支部,是,\n" for i in range(30)
)


async def _members(env, n=30) -> list:
    await env.import_roster(ROSTER)
    people = []
    for i in range(n):
        people.append(await env.join(5000 + i, f"成员{i}", str(2000 + i)))
    return people


async def _broadcast(env, key: str, text: str) -> int:
    async with env.db.session() as s:
        rows = [outbox.row(env.ctx, key=f"{key}:{m.id}", chat_id=m.chat_id, member_id=m.id,
                           messages=[outbox.message(text)])
                for m in (await s.execute(select(Member).where(Member.chat_id.is_not(None)))).scalars()]
        return await outbox.enqueue_many(s, rows)


def _got(person, text) -> int:
    return sum(1 for t in person.texts() if t == text)


async def _rows(env) -> list[Outbox]:
    async with env.db.session() as s:
        return list((await s.execute(select(Outbox).order_by(Outbox.id))).scalars())


async def test_enqueuing_the_same_notification_twice_sends_it_once(env):
    people = await _members(env, 3)
    assert await _broadcast(env, "notice:1", "通知一") == 3
    assert await _broadcast(env, "notice:1", "通知一") == 0
    await env.tick()
    await env.tick()
    assert all(_got(p, "通知一") == 1 for p in people)


async def test_429_pauses_sending_and_the_refused_message_goes_after_retry_after(env):
    [p] = await _members(env, 1)
    env.fake.fail("sendMessage", 429, retry_after=1)
    await _broadcast(env, "n429", "稍后送达")
    await env.tick()
    assert _got(p, "稍后送达") == 1, "the refused message is asked again, never dropped"
    [(refused_at, *_)] = [r for r in env.fake.refused if r[3] == 429]
    after = [t for t, _, _ in env.fake.accepted if t > refused_at]
    assert after and after[0] - refused_at >= 1.0, "nothing goes out before retry_after runs out"


async def test_403_marks_member_unreachable_and_is_not_retried(env, clock):
    a, b = await _members(env, 2)
    env.fake.blocked.add(a.id)
    await _broadcast(env, "n403", "你好")
    await env.tick()
    clock.advance(hours=2)
    await env.tick()
    assert _got(b, "你好") == 1
    sends_to_a = [c for c in env.fake.calls if c[0] == "sendMessage" and c[1].get("chat_id") == a.id
                  and c[1].get("text") == "你好"]
    assert len(sends_to_a) == 1
    rows = await _rows(env)
    dead = [r for r in rows if r.chat_id == a.id]
    assert dead[0].status == DEAD and "403" in dead[0].error
    async with env.db.session() as s:
        member = (await s.execute(select(Member).where(Member.chat_id == a.id))).scalar_one()
        assert member.reachable is False
    # Writing to the bot again makes them reachable.
    env.fake.blocked.discard(a.id)
    await a.send("/help")
    async with env.db.session() as s:
        member = (await s.execute(select(Member).where(Member.chat_id == a.id))).scalar_one()
        assert member.reachable is True


async def test_500_is_retried_with_backoff_then_given_up_with_reason(env, clock):
    [p] = await _members(env, 1)
    env.fake.fail("sendMessage", 500, times=2)
    await _broadcast(env, "n500", "重试")
    await env.tick()
    [row] = [r for r in await _rows(env) if r.dedupe_key.startswith("n500")]
    assert row.status == PENDING and row.attempts == 1
    first_wait = row.not_before - clock.now()
    clock.advance(seconds=first_wait.total_seconds() + 1)
    await env.tick()
    [row] = [r for r in await _rows(env) if r.dedupe_key.startswith("n500")]
    assert row.status == PENDING and row.not_before - clock.now() > first_wait  # exponential
    clock.advance(hours=1)
    await env.tick()
    assert _got(p, "重试") == 1
    # A chat that always fails ends dead, with the reason, after the bound.
    env.fake.fail("sendMessage", 500, times=100)
    await _broadcast(env, "always", "永远失败")
    for _ in range(10):
        await env.tick()
        clock.advance(hours=2)
    [row] = [r for r in await _rows(env) if r.dedupe_key.startswith("always")]
    assert row.status == DEAD and "gave up" in row.error


async def test_restart_in_the_middle_of_a_broadcast_sends_everyone_the_message_once(env):
    people = await _members(env, 30)
    env.runtime.sender.batch = 10
    await _broadcast(env, "big", "全员通知")
    stats = await env.runtime.sender.drain(max_batches=1)
    assert stats.sent == 10
    await env.restart()
    await env.tick()
    assert [_got(p, "全员通知") for p in people] == [1] * 30


async def test_crash_between_claim_and_send_is_picked_up_after_the_lease(env, clock):
    [p] = await _members(env, 1)
    async with env.db.session() as s:  # enqueued and claimed in one go: the running sender never sees it due
        m = (await s.execute(select(Member).where(Member.chat_id == p.id))).scalar_one()
        await outbox.to_member(s, env.ctx, m, key="lease", messages=[outbox.message("租约")])
        claimed = await outbox.claim(s, env.ctx, 10, lease_seconds=120)
    assert len(claimed) == 1  # ...and the process dies here
    await env.restart()
    await env.tick()
    assert _got(p, "租约") == 0, "claimed by another sender: not before the lease runs out"
    clock.advance(seconds=121)
    await env.tick()
    assert _got(p, "租约") == 1
    [row] = [r for r in await _rows(env) if r.dedupe_key.startswith("lease")]
    assert row.status == SENT and row.sent_at is not None and row.message_ids


async def test_messages_of_one_row_arrive_in_order(env):
    [p] = await _members(env, 1)
    parts = [f"第{i}部分" for i in range(5)]
    async with env.db.session() as s:
        m = (await s.execute(select(Member).where(Member.chat_id == p.id))).scalar_one()
        await outbox.to_member(s, env.ctx, m, key="multi", messages=[outbox.message(t) for t in parts])
    env.fake.fail("sendMessage", 500, times=1, chat_id=p.id)
    await env.tick()
    env.ctx.clock.advance(minutes=5)
    await env.tick()
    assert [t for t in p.texts() if t.startswith("第")] == parts


async def test_two_hundred_reminders_to_one_owner_do_not_fill_a_claim(db, ctx):
    """A chat goes one message per chat interval: the sender holds a few of its rows, the others go meanwhile."""
    rows = [outbox.row(ctx, key=f"owner:{i}", chat_id=42, kind="tasks.reminder", messages=[outbox.message("提醒")])
            for i in range(200)]
    rows += [outbox.row(ctx, key=f"other:{c}", chat_id=c, kind="tasks.reminder", messages=[outbox.message("提醒")])
             for c in range(100, 110)]
    async with db.session() as s:
        await outbox.enqueue_many(s, rows)
    async with db.session() as s:
        claimed = await outbox.claim(s, ctx, 64, per_chat=4, queued={})
    assert sorted(r.chat_id for r in claimed) == [42] * 4 + list(range(100, 110))
    async with db.session() as s:
        again = await outbox.claim(s, ctx, 64, per_chat=4, queued={42: 4})
    assert again == [], "the owner's chat is full and everyone else is claimed"
