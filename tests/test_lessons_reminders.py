"""Lesson reminders through the fake Bot API: configured days, the days left said right, none after the
due date, and "after N days" counted from each member's own delivery."""
from __future__ import annotations

from datetime import date

from tests.support.botenv import DEMO_ROSTER
from tests.support.lessons import publish


def reminders(person) -> list[str]:
    return [m["text"] for m in person.messages if "学习提醒" in (m.get("text") or "")]


async def test_configured_reminder_says_the_days_left_and_none_come_after_the_due_date(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    li = await env.join(103, "李强", "1003")
    # Published Thursday 12-03 09:00, due Thursday 12-10; no "after N days" reminder, one 3 days before.
    await publish(env, min_read=0, due_on=date(2026, 12, 10), remind_after_days=0, remind_before_due_days=3)
    await wang.press("已学习")

    for _ in range(3):  # Friday, Saturday, Sunday
        clock.advance(days=1)
        await env.tick()
    assert reminders(li) == []
    clock.advance(days=1)  # Monday 12-07 09:00
    await env.tick()
    assert len(reminders(li)) == 1 and "还有 3 天就截止了" in reminders(li)[0]
    assert "明天" not in reminders(li)[0]
    assert reminders(wang) == [], "Wang has learned it"

    for _ in range(6):  # through the due date and past it
        clock.advance(days=1)
        await env.tick()
    assert len(reminders(li)) == 1


async def test_a_member_who_registers_late_is_reminded_two_days_after_their_own_delivery(env, clock):
    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    await publish(env, min_read=0)

    clock.advance(days=2, hours=1)  # Saturday 10:00: Wang's two days are up
    li = await env.join(103, "李强", "1003")
    await env.tick()
    assert len(reminders(wang)) == 1
    assert any("建议阅读" in t for t in li.texts()), "Li is caught up with the lesson"
    assert reminders(li) == [], "not reminded on the day the lesson reached him"

    clock.advance(days=1)
    await env.tick()
    assert reminders(li) == []
    clock.advance(days=1)  # Monday 10:00: two days since Li's delivery
    await env.tick()
    assert len(reminders(li)) == 1 and len(reminders(wang)) == 1
