"""Issue 15, item 5 (second half): in /lessons's coverage, staff see who has not studied a lesson (their own
people only) and remind them all with one press, once a day per lesson per scope, through the outbox in the
reminders lane, never at night. Thursday 2026-12-03, 09:00 in Shanghai."""
from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import select

from storage import lessons, roster
from storage.clock import FrozenClock
from storage.context import Context
from storage.db import Database
from storage.errors import Refused
from storage.lessons import LessonNudge, parse
from storage.models.org import Member
from storage.models.outbox import Outbox
from storage.outbox import SCHEDULED
from tests.support.botenv import DEFAULT_NOW, DEMO_ROSTER
from tests.support.lessons import LESSON_MD, publish
from tests.support.refusals import refusal, snapshot


async def _people(env):
    """张伟 (secretary of 生产部, 第一支部), 王芳 and 李强 of 生产部, 陈静 of 财务部 / 第二支部, the admin."""
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    li = await env.join(103, "李强", "1003")
    chen = await env.join(105, "陈静", "1005")
    admin = env.admin()
    await admin.send("/help")
    return zhang, wang, li, chen, admin


def nudges(person) -> list[str]:
    return [t for t in person.texts() if "提醒您：微党课" in t]


async def _member_id(env, employee_no: str) -> int:
    async with env.db.session() as s:
        return (await s.execute(select(Member.id).where(Member.employee_no == employee_no))).scalar_one()


async def test_a_secretary_sees_who_has_not_studied_and_reminds_them_once_a_day(env, clock):
    zhang, wang, li, chen, admin = await _people(env)
    lesson_id = await publish(env, audience="all", min_read=0)
    await wang.press("已学习")

    pick = (await zhang.send("/lessons"))[-1]
    assert "学习覆盖率" in pick["text"]
    listing = (await zhang.press("未学 2 人", pick)).new[-1]
    text = listing["text"]
    assert "已学习 1/3 人，还有 2 人未学习" in text
    assert "• 张伟（生产部）" in text and "• 李强（生产部）" in text
    assert "王芳" not in text and "陈静" not in text  # learned; not Zhang's branch

    # 张伟 has not studied it either: he is listed, but the press reminds the others, not himself.
    press = await zhang.press("🔔 一键提醒（1 人）", listing)
    assert press.toast == "已提醒 1 人学习。"
    assert "🔔 今天已由 张伟 于 09:00 提醒 1 人。" in press.message["text"]  # the list, edited
    await env.tick()
    assert len(nudges(li)) == 1 and nudges(chen) == [] and nudges(wang) == [] and nudges(zhang) == []
    assert "张伟 提醒您：微党课《学习党章：党员的义务》您还没有学完" in nudges(li)[0]
    assert "再读一遍" in str(li.last["reply_markup"])
    async with env.db.session() as s:
        record = (await s.execute(select(LessonNudge))).scalar_one()
        lanes = set((await s.execute(select(Outbox.lane).where(Outbox.kind == "lesson.nudge"))).scalars())
    assert (record.lesson_id, record.by_id, record.reminded) == (lesson_id, await _member_id(env, "1001"), 1)
    assert lanes == {SCHEDULED}

    # Twice in a day: refused with who did it, nothing written, nothing sent.
    before = await snapshot(env.db)
    again = await zhang.press("🔔 一键提醒", listing)
    assert again.toast == refusal("zh", "lesson_nudged_today", title="学习党章：党员的义务", by="张伟",
                                  at=record.at.astimezone(env.ctx.tz))
    assert again.toast.startswith("《学习党章：党员的义务》今天已由 张伟 于 09:00 提醒过")
    assert await snapshot(env.db) == before
    await env.tick()
    assert len(nudges(li)) == 1

    # The admin's scope is everyone: 陈静 (and the admin, also in "all") are reminded, 李强 not twice a day.
    pick = (await admin.send("/lessons"))[-1]
    listing = (await admin.press("未学", pick)).new[-1]
    assert "陈静（财务部）" in listing["text"]
    assert "• 刘洋（财务部） · 收不到提醒" in listing["text"]  # not registered
    assert "今天已由" not in listing["text"]  # another scope
    assert (await admin.press("🔔 一键提醒", listing)).toast == "已提醒 2 人学习。"
    await env.tick()
    assert len(nudges(chen)) == 1 and len(nudges(li)) == 1

    clock.advance(days=1)  # Friday: a new day
    assert (await zhang.press("🔔 一键提醒", listing_of(zhang))).toast == "已提醒 1 人学习。"
    await env.tick()
    assert len(nudges(li)) == 2


def listing_of(person) -> dict:
    return person.find("🔔 一键提醒")


async def test_a_reminder_pressed_at_night_waits_for_the_morning(env, clock):
    zhang, wang, li, chen, admin = await _people(env)
    await publish(env, audience="branch:第一支部", min_read=0)
    clock.advance(hours=13)  # 22:00: quiet hours
    listing = (await zhang.press("未学", (await zhang.send("/lessons"))[-1])).new[-1]
    assert (await zhang.press("🔔 一键提醒", listing)).toast == "已提醒 2 人学习。"
    await env.tick()
    assert nudges(li) == []
    clock.advance(hours=10)  # 08:00
    await env.tick()
    assert len(nudges(li)) == 1 and len(nudges(wang)) == 1


async def test_a_plain_member_and_another_branchs_secretary_cannot_remind(env):
    zhang, wang, li, chen, admin = await _people(env)
    liu = await env.join(104, "刘洋", "1004")  # secretary of 财务部 / 第二支部
    lesson_id = await publish(env, audience="branch:第一支部", min_read=0)
    before = await snapshot(env.db)
    plain = await li.press_data(f"les:{lesson_id}:nudge")
    assert plain.toast == refusal("zh", "not_allowed")
    assert (await li.press_data(f"les:{lesson_id}:unlearned")).toast == refusal("zh", "not_allowed")
    other = await liu.press_data(f"les:{lesson_id}:nudge")
    assert other.toast == refusal("zh", "lesson_nudge_not_yours")
    assert (await liu.press_data(f"les:{lesson_id}:unlearned")).toast == refusal("zh", "lesson_nudge_not_yours")
    assert await snapshot(env.db) == before
    await env.tick()
    assert nudges(wang) == [] and nudges(li) == []
    # Nobody of Liu's branch has the lesson, so his /lessons offers no list of it.
    assert "未学" not in str((await liu.send("/lessons"))[-1].get("reply_markup"))


async def test_nobody_left_to_remind_is_refused_and_the_list_says_everyone_learned(env):
    zhang, wang, li, chen, admin = await _people(env)
    lesson_id = await publish(env, audience="unit:生产部", min_read=0)
    for person in (zhang, wang, li):
        await person.press("已学习")
    async with env.db.session() as s:
        me = await s.get(Member, await _member_id(env, "1001"))
        view = await lessons.unlearned(s, env.ctx, me, lesson_id)
        assert (view.audience, view.missing, view.people) == (3, 0, [])
        assert lessons.unlearned_keyboard("zh", view) is None
    before = await snapshot(env.db)
    press = await zhang.press_data(f"les:{lesson_id}:nudge")
    assert press.toast == refusal("zh", "lesson_nudge_nobody", title="学习党章：党员的义务")
    assert await snapshot(env.db) == before


# --- the rules on their own ------------------------------------------------------------------------

SECOND_SECRETARY = DEMO_ROSTER + "1008,孙强,生产部,第一支部,是,secretary\n"


async def _published(db, ctx, audience: str = "all", **options) -> int:
    """The roster linked to chats (王芳 blocked the bot), and a lesson published to `audience`."""
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(SECOND_SECRETARY.encode(), "roster.csv"))
        for m in (await s.execute(select(Member))).scalars():
            m.chat_id, m.telegram_user_id = 5000 + m.id, 5000 + m.id
            m.reachable = m.employee_no != "1002"
    async with db.session() as s:
        lesson = await lessons.create(s, ctx, parse(LESSON_MD), audience=audience, min_read=0, **options)
        await lessons.publish(s, ctx, lesson)
        return lesson.id


async def _as(s, employee_no: str) -> Member:
    return (await s.execute(select(Member).where(Member.employee_no == employee_no))).scalar_one()


async def test_secretaries_of_one_branch_share_the_once_a_day_and_an_admin_has_their_own(db, ctx):
    lesson_id = await _published(db, ctx)
    async with db.session() as s:
        zhang = await _as(s, "1001")
        view = await lessons.unlearned(s, ctx, zhang, lesson_id)
        assert [p["name"] for p in view.people] == ["孙强", "张伟", "李强", "王芳"]  # by name; not 财务部's
        assert {p["name"]: p["registered"] for p in view.people}["王芳"] is False  # blocked: listed, not reached
        assert (view.audience, view.missing, view.reachable) == (4, 4, 2)  # 张伟 does not remind himself
        assert await lessons.remind_unlearned(s, ctx, zhang, lesson_id) == 2
    async with db.session() as s:
        sun = await _as(s, "1008")
        with pytest.raises(Refused) as caught:
            await lessons.remind_unlearned(s, ctx, sun, lesson_id)
        assert caught.value.template == "lesson_nudged_today" and caught.value.params["by"] == "张伟"
        liu = await _as(s, "1004")  # 财务部 / 第二支部: 刘洋, 陈静, 赵磊, Emily
        assert await lessons.remind_unlearned(s, ctx, liu, lesson_id) == 3
        rows = (await s.execute(select(LessonNudge.scope, LessonNudge.reminded).order_by(LessonNudge.id))).all()
    assert len(rows) == 2 and rows[0][1] == 2 and rows[1][1] == 3 and rows[0][0] != rows[1][0]


async def test_a_lesson_past_its_due_date_is_listed_but_not_reminded(db, ctx, clock):
    lesson_id = await _published(db, ctx, audience="branch:第一支部", due_on=date(2026, 12, 4))
    clock.advance(days=2)  # Saturday: the lesson closed at midnight
    async with db.session() as s:
        zhang = await _as(s, "1001")
        view = await lessons.unlearned(s, ctx, zhang, lesson_id)
        assert view.closed and lessons.unlearned_keyboard("zh", view) is None
        with pytest.raises(Refused) as caught:
            await lessons.remind_unlearned(s, ctx, zhang, lesson_id)
        assert caught.value.template == "lesson_nudge_closed"


async def test_on_postgresql_a_reminder_goes_out_once_a_day(pg_env):
    zhang, wang, li, chen, admin = await _people(pg_env)
    await publish(pg_env, audience="branch:第一支部", min_read=0)
    listing = (await zhang.press("未学", (await zhang.send("/lessons"))[-1])).new[-1]
    assert (await zhang.press("🔔 一键提醒", listing)).toast == "已提醒 2 人学习。"
    before = await snapshot(pg_env.db)
    assert (await zhang.press("🔔 一键提醒", listing)).toast.startswith("《学习党章：党员的义务》今天已由 张伟")
    assert await snapshot(pg_env.db) == before
    await pg_env.tick()
    assert len(nudges(li)) == 1 and len(nudges(wang)) == 1


async def test_a_member_who_left_is_neither_listed_counted_nor_reminded(db, ctx):
    lesson_id = await _published(db, ctx, audience="branch:第一支部")
    async with db.session() as s:
        (await _as(s, "1003")).active = False  # 李强 left
    async with db.session() as s:
        zhang = await _as(s, "1001")
        staff = (await lessons.overview(s, ctx, zhang)).staff
        keyboard = await lessons.coverage_keyboard(s, zhang, "zh", staff)
        assert [b["text"] for row in keyboard for b in row] == ["《学习党章：党员的义务》未学 3 人"]
        view = await lessons.unlearned(s, ctx, zhang, lesson_id)
        assert [p["name"] for p in view.people] == ["孙强", "张伟", "王芳"] and view.reachable == 1
        assert await lessons.remind_unlearned(s, ctx, zhang, lesson_id) == 1  # 孙强: not 李强 (left), not 张伟 himself


async def test_two_secretaries_pressing_at_the_same_moment_on_postgresql_one_reminds_the_other_is_told(pg_url):
    """Both read "not reminded today" before either commits: the day's row is claimed first, so the second
    waits for the first and gets the usual refusal naming who reminded, not a database error."""
    clock = FrozenClock(DEFAULT_NOW)
    ctx = Context(clock=clock, secret=b"test-secret-not-for-production")
    replicas = [Database(pg_url) for _ in range(2)]
    try:
        lesson_id = await _published(replicas[0], ctx)
        for db in replicas:  # both connected already, so neither press starts late
            async with db.session() as s:
                await _as(s, "1001")

        async def press(db: Database, employee_no: str):
            try:
                async with db.session() as s:
                    return await lessons.remind_unlearned(s, ctx, await _as(s, employee_no), lesson_id)
            except Refused as refused:
                return refused.template

        outcomes = await asyncio.gather(press(replicas[0], "1001"), press(replicas[1], "1008"))
        assert sorted(outcomes, key=str) == [2, "lesson_nudged_today"]  # not the presser
        async with replicas[0].session() as s:
            rows = (await s.execute(select(LessonNudge.reminded))).scalars().all()
            sent = (await s.execute(select(Outbox).where(Outbox.kind == "lesson.nudge"))).scalars().all()
        assert rows == [2] and len(sent) == 2
    finally:
        for db in replicas:
            await db.dispose()
