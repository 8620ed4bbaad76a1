"""Reception days in storage: recurring days generated ahead, the rules a new day must meet, the CLI, and KPIs."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from storage import producers, reception, roster
from storage.errors import Refused
from storage.models.org import Member
from storage.reception import Booking, ReceptionDay, ReceptionSeries, ReceptionSlot
from storage.reception import book
from storage.reception import kpi_figures
from storage.reception import record_absent, record_resolved, record_task
from tests.support.botenv import DEMO_ROSTER


async def _roster(db, ctx) -> None:
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(DEMO_ROSTER.encode(), "roster.csv"))


def _spec(**changes) -> reception.DaySpec:
    base = dict(leader_no="1006", day=date(2026, 12, 15), start=time(14), end=time(16), slot_minutes=30,
                capacity=1, place="办公楼 301")
    base.update(changes)
    return reception.DaySpec(**base)


async def _days(db) -> list[date]:
    async with db.session() as s:
        return list((await s.execute(select(ReceptionDay.day).order_by(ReceptionDay.day))).scalars())


async def test_a_day_is_cut_into_whole_slots_in_local_time(db, ctx):
    await _roster(db, ctx)
    async with db.session() as s:
        [day] = await reception.create(s, ctx, _spec(end=time(16, 10)), actor_id=None)
        slots = (await s.execute(select(ReceptionSlot).order_by(ReceptionSlot.position))).scalars().all()
    assert [s.starts_at.strftime("%H:%M") for s in slots] == ["06:00", "06:30", "07:00", "07:30"]  # UTC
    assert day.ends_at == datetime(2026, 12, 15, 8, 0, tzinfo=timezone.utc)


async def test_weekly_series_keeps_three_days_open_and_tops_up_as_time_passes(db, ctx, clock):
    await _roster(db, ctx)
    async with db.session() as s:
        made = await reception.create(s, ctx, _spec(day=date(2026, 12, 3), rule="weekly", rule_value=5), actor_id=None)
    assert [d.day for d in made] == [date(2026, 12, 4), date(2026, 12, 11), date(2026, 12, 18)]
    await producers.run_all(db, ctx)
    assert len(await _days(db)) == 3  # nothing new while three are still ahead
    clock.advance(days=8)  # Friday 11 December: the 4th has passed
    await producers.run_all(db, ctx)
    await producers.run_all(db, ctx)
    assert await _days(db) == [date(2026, 12, 4), date(2026, 12, 11), date(2026, 12, 18), date(2026, 12, 25)]


async def test_monthly_series_on_the_31st_skips_short_months(db, ctx):
    await _roster(db, ctx)
    async with db.session() as s:
        await reception.create(s, ctx, _spec(rule="monthly", rule_value=31, ahead=3), actor_id=None)
    assert await _days(db) == [date(2026, 12, 31), date(2027, 1, 31), date(2027, 3, 31)]


@pytest.mark.parametrize("changes, template", [
    ({"leader_no": "9999"}, "reception_unknown_leader"),
    ({"end": time(14, 20)}, "reception_no_slots"),
    ({"capacity": 0}, "reception_bad_capacity"),
    ({"slot_minutes": 1}, "reception_bad_slot"),
    ({"place": "  "}, "reception_bad_place"),
    ({"audience": "unit:后勤部"}, "audience_unknown_unit"),
    ({"audience": "everyone"}, "audience_invalid"),
    ({"day": date(2026, 12, 2)}, "reception_in_past"),
    ({"rule": "weekly", "rule_value": 8}, "reception_bad_rule_value"),
    ({"notice_days": 31}, "reception_bad_notice"),
])
async def test_a_bad_day_is_refused_and_nothing_is_written(db, ctx, changes, template):
    await _roster(db, ctx)
    with pytest.raises(Refused) as refused:
        async with db.session() as s:
            await reception.create(s, ctx, _spec(**changes), actor_id=None)
    assert refused.value.template == template
    async with db.session() as s:
        assert (await s.execute(select(func.count(ReceptionDay.id)))).scalar_one() == 0
        assert (await s.execute(select(func.count(ReceptionSeries.id)))).scalar_one() == 0


def test_cli_adds_a_recurring_day_and_refuses_bad_input_without_writing(sqlite_url, tmp_path, monkeypatch, capsys):
    import asyncio

    from bot.cli import main
    from storage.db import Database

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TONGXIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TONGXIN_SECRET", "test-secret-not-for-production")
    monkeypatch.setenv("TONGXIN_LANG", "en")
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text(DEMO_ROSTER, encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["roster", "import", str(roster_file)])
    assert done.value.code == 0
    base = ["reception", "add", "--leader", "1006", "--date", "2030-01-01", "--from", "14:00", "--to", "16:00",
            "--slot", "30", "--capacity", "1", "--place", "办公楼 301"]
    with pytest.raises(SystemExit) as done:
        main(base[:5] + ["9999"] + base[6:])
    assert done.value.code == 2 and "9999" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main(base + ["--audience", "unit:Nowhere"])
    assert done.value.code == 2
    with pytest.raises(SystemExit) as done:
        main(base[:7] + ["2pm"] + base[8:])
    assert done.value.code == 2 and "not a time" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main(base + ["--count", "2"])
    assert done.value.code == 2 and "--monthly-day" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main(base + ["--monthly-day", "15", "--count", "2", "--audience", "unit:生产部"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "2030-01-15 14:00-16:00" in out and "2030-02-15" in out

    async def stored():
        database = Database(sqlite_url)
        async with database.session() as s:
            days = (await s.execute(select(ReceptionDay).order_by(ReceptionDay.day))).scalars().all()
        await database.dispose()
        return days

    days = asyncio.run(stored())
    assert [(d.day, d.audience, d.notice_days) for d in days] == [
        (date(2030, 1, 15), "unit:生产部", 2), (date(2030, 2, 15), "unit:生产部", 2)]


async def test_kpi_figures_count_days_bookings_attendance_and_outcomes_by_unit(db, ctx, clock):
    await _roster(db, ctx)
    async with db.session() as s:
        await reception.create(s, ctx, _spec(), actor_id=None)
        slots = (await s.execute(select(ReceptionSlot.id).order_by(ReceptionSlot.position))).scalars().all()
        people = {m.employee_no: m for m in (await s.execute(select(Member))).scalars()}
        for no, slot in (("1002", slots[0]), ("1003", slots[1]), ("1005", slots[2])):
            await book(s, ctx, people[no], slot, f"事项 {no}")
    clock.set(datetime(2026, 12, 15, 9, tzinfo=timezone.utc))  # 17:00 local: the day is over
    async with db.session() as s:
        secretary = (await s.execute(select(Member).where(Member.employee_no == "1004"))).scalar_one()
        ids = {b.member_id: b.id for b in (await s.execute(select(Booking))).scalars()}
        people = {m.employee_no: m for m in (await s.execute(select(Member))).scalars()}
        await record_resolved(s, ctx, secretary, ids[people["1002"].id], "当场答复")
        await record_absent(s, ctx, secretary, ids[people["1005"].id])
        _, task = await record_task(s, ctx, secretary, ids[people["1003"].id], "1003 生产部 2026-12-31")
    clock.set(datetime(2026, 12, 20, 2, tzinfo=timezone.utc))
    async with db.session() as s:
        from storage.tasks import DONE, Task

        done = (await s.execute(select(Task).where(Task.task_no == task["no"]))).scalar_one()
        done.status, done.reported_at = DONE, ctx.now()  # reported done before the deadline, and confirmed
        month = dict(start=datetime(2026, 12, 1, tzinfo=timezone.utc), end=datetime(2027, 1, 1, tzinfo=timezone.utc))
        everyone = await kpi_figures(s, ctx, unit_ids=None, **month)
        production = {people["1002"].unit_id}
        only_production = await kpi_figures(s, ctx, unit_ids=production, **month)
        assert await reception.kpi_figures(s, ctx, unit_ids=None, start=month["end"],
                                           end=month["end"] + timedelta(days=31)) == dict.fromkeys(everyone, 0)
    assert everyone == {"days_held": 1, "bookings": 3, "attended": 2, "matters_raised": 2, "matters_resolved": 1,
                        "matters_to_tasks": 1, "tasks_done_on_time": 1}
    assert only_production == {"days_held": 1, "bookings": 2, "attended": 2, "matters_raised": 2,
                               "matters_resolved": 1, "matters_to_tasks": 1, "tasks_done_on_time": 1}
    finance = await _kpi(db, ctx, {people["1005"].unit_id}, month)
    assert finance == {"days_held": 1, "bookings": 1, "attended": 0, "matters_raised": 0, "matters_resolved": 0,
                       "matters_to_tasks": 0, "tasks_done_on_time": 0}


async def _kpi(db, ctx, unit_ids, period):
    async with db.session() as s:
        return await kpi_figures(s, ctx, unit_ids=unit_ids, **period)


async def test_a_place_freed_at_night_is_offered_in_the_morning_and_held_two_hours_from_then(db, ctx, clock):
    from zoneinfo import ZoneInfo

    from storage.models.outbox import Outbox
    from storage.reception import cancel, expire_offers

    shanghai = ZoneInfo("Asia/Shanghai")
    await _roster(db, ctx)
    async with db.session() as s:
        await reception.create(s, ctx, _spec(), actor_id=None)
        slot = (await s.execute(select(ReceptionSlot.id).order_by(ReceptionSlot.position))).scalars().first()
        people = {m.employee_no: m for m in (await s.execute(select(Member))).scalars()}
        people["1003"].chat_id = 203  # linked to Telegram, so the offer can reach them
        first = (await book(s, ctx, people["1002"], slot, "食堂")).booking
        second = (await book(s, ctx, people["1003"], slot, "停车", waitlist=True)).booking
    clock.set(datetime(2026, 12, 10, 23, tzinfo=shanghai))
    async with db.session() as s:
        await cancel(s, ctx, await s.get(Member, first.member_id), first.id)
    async with db.session() as s:
        offered = await s.get(Booking, second.id)
        key = f"reception:bkg:{second.id}:offer"
        row = (await s.execute(select(Outbox).where(Outbox.dedupe_key == key))).scalar_one()
    morning = datetime(2026, 12, 11, 8, tzinfo=shanghai)
    assert offered.status == "offered" and offered.offer_expires_at == morning + timedelta(hours=2)
    assert row.not_before == morning
    clock.set(morning + timedelta(hours=1, minutes=59))
    async with db.session() as s:
        assert await expire_offers(s, ctx) == 0
    clock.set(morning + timedelta(hours=2))
    async with db.session() as s:
        assert await expire_offers(s, ctx) == 1
        assert (await s.get(Booking, second.id)).status == "lapsed"
        assert (await s.get(ReceptionSlot, slot)).booked == 0


async def test_a_waitlist_left_open_long_after_its_slot_is_closed_without_a_message(db, ctx, clock):
    from storage.models.outbox import Outbox
    from storage.reception import close_waitlists

    await _roster(db, ctx)
    async with db.session() as s:
        await reception.create(s, ctx, _spec(), actor_id=None)
        slot = (await s.execute(select(ReceptionSlot.id).order_by(ReceptionSlot.position))).scalars().first()
        people = {m.employee_no: m for m in (await s.execute(select(Member))).scalars()}
        people["1003"].chat_id = 203
        await book(s, ctx, people["1002"], slot, "食堂")
        waiting = (await book(s, ctx, people["1003"], slot, "停车", waitlist=True)).booking
    clock.set(datetime(2026, 12, 20, 2, tzinfo=timezone.utc))  # days after the meeting (say, after an outage)
    async with db.session() as s:
        assert await close_waitlists(s, ctx) == 1
        assert await close_waitlists(s, ctx) == 0
    async with db.session() as s:
        assert (await s.get(Booking, waiting.id)).status == "lapsed"
        sent = select(func.count(Outbox.id)).where(Outbox.dedupe_key.like("reception:%"))
        assert (await s.execute(sent)).scalar_one() == 0
