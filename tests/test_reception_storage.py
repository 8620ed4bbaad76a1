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
    # 2027-01-31 is a Sunday: that one moves to Monday 1 February.
    assert await _days(db) == [date(2026, 12, 31), date(2027, 2, 1), date(2027, 3, 31)]


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
        assert await expire_offers(s, ctx) == 0  # not even delivered: the hold has not begun
        (await s.get(Outbox, row.id)).status, (await s.get(Outbox, row.id)).sent_at = "sent", morning
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


async def test_a_leader_is_refused_a_slot_on_their_own_day_even_with_room(db, ctx):
    await _roster(db, ctx)
    async with db.session() as s:
        [day] = await reception.create(s, ctx, _spec(), actor_id=None)
        slot = (await s.execute(select(ReceptionSlot.id).where(ReceptionSlot.day_id == day.id))).scalars().first()
        leader = (await s.execute(select(Member).where(Member.employee_no == "1006"))).scalar_one()
        with pytest.raises(Refused) as refused:
            await book(s, ctx, leader, slot, "自己约自己")
    assert refused.value.template == "reception_own_day_refused"
    async with db.session() as s:
        assert (await s.execute(select(func.count(Booking.id)))).scalar_one() == 0
        assert (await s.get(ReceptionSlot, slot)).booked == 0


HOLIDAYS_CSV = "\ufeff2027年节假日安排\n日期,名称,类型\n2027-02-15,春节,休\n2027/2/20,春节调休,班\n\n"


async def _load_holidays(db, ctx, text: str = HOLIDAYS_CSV) -> None:
    from storage import holidays

    entries = holidays.check(holidays.read(text.encode("utf-8"), "holidays.csv"))
    async with db.session() as s:
        await holidays.apply(s, ctx, entries)


async def test_working_days_follow_the_holiday_list_days_off_and_weekends_worked(db, ctx):
    from storage import calendar

    await _load_holidays(db, ctx)
    assert calendar.add_working_days(date(2027, 2, 12), 1, ctx) == date(2027, 2, 16)  # Fri + 1: Mon is 春节
    assert calendar.add_working_days(date(2027, 2, 19), 1, ctx) == date(2027, 2, 20)  # the Saturday is worked
    assert calendar.working_days_between(date(2027, 2, 12), date(2027, 2, 22), ctx) == 6  # 16-19, 20, 22
    assert reception.last_booking_day(date(2027, 2, 17), 2, ctx) == date(2027, 2, 12)
    assert calendar.add_working_days(date(2027, 2, 12), 1) == date(2027, 2, 15)  # without the list: weekdays


async def test_a_holiday_file_with_bad_rows_is_refused_whole_with_row_numbers(db, ctx):
    from storage import holidays
    from storage.errors import InvalidFile
    from storage.models.holidays import CalendarDay

    bad = "日期,类型\n明天,休\n2027-02-16,加班吗\n2027-02-17,\n2027-2-17,休\n"
    with pytest.raises(InvalidFile) as refused:
        holidays.check(holidays.read(bad.encode(), "h.csv"))
    assert [(p.row, p.code) for p in refused.value.problems] == [(2, "bad_date"), (3, "bad_value"), (5, "duplicate")]
    await _load_holidays(db, ctx)
    await _load_holidays(db, ctx, "日期\n2028-01-03\n")  # another year is added, 2027 kept
    await _load_holidays(db, ctx, "date,name\n2027-10-01,National Day\n")  # 2027 replaced
    async with db.session() as s:
        rows = (await s.execute(select(CalendarDay.day, CalendarDay.working, CalendarDay.name)
                                .order_by(CalendarDay.day))).all()
    assert [tuple(r) for r in rows] == [(date(2027, 10, 1), False, "National Day"), (date(2028, 1, 3), False, "")]


async def test_a_monthly_series_moves_off_weekends_and_holidays_and_says_which_dates_moved(db, ctx):
    await _roster(db, ctx)
    await _load_holidays(db, ctx)
    ctx.calendar_days = {}  # generation reads the stored list itself, whatever the process held
    shifts: list = []
    async with db.session() as s:
        made = await reception.create(s, ctx, _spec(day=date(2027, 1, 14), rule="monthly", rule_value=14),
                                      actor_id=None, shifts=shifts)
    assert [d.day for d in made] == [date(2027, 1, 14), date(2027, 2, 16), date(2027, 3, 15)]
    assert shifts == [(date(2027, 2, 14), date(2027, 2, 16)), (date(2027, 3, 14), date(2027, 3, 15))]


async def test_a_weekly_series_skips_holidays_as_the_tick_tops_it_up_and_tells_the_creator(db, ctx, clock):
    from storage.models.outbox import Outbox

    await _roster(db, ctx)
    await _load_holidays(db, ctx, "日期,名称\n2026-12-25,公司年休\n2027-01-01,元旦\n")
    async with db.session() as s:
        creator = (await s.execute(select(Member).where(Member.employee_no == "1001"))).scalar_one()
        creator.chat_id = 9001
        made = await reception.create(s, ctx, _spec(day=date(2026, 12, 4), rule="weekly", rule_value=5),
                                      actor_id=creator.id)
    assert [d.day for d in made] == [date(2026, 12, 4), date(2026, 12, 11), date(2026, 12, 18)]
    clock.advance(days=9)  # Saturday 12 December: one day left ahead
    await producers.run_all(db, ctx)
    await producers.run_all(db, ctx)
    assert (await _days(db))[3:] == [date(2027, 1, 8), date(2027, 1, 15)]
    async with db.session() as s:
        notices = (await s.execute(select(Outbox).where(Outbox.dedupe_key.like("reception:series:%"))
                                   .order_by(Outbox.id))).scalars().all()
    assert [n.dedupe_key.rsplit(":", 1)[1] for n in notices] == ["2026-12-25", "2027-01-01"]
    assert "2026-12-25（周五）不是工作日，本次跳过" in notices[0].payload["messages"][0]["params"]["text"]


def test_cli_loads_the_holiday_list_and_refuses_a_bad_file_without_writing(sqlite_url, tmp_path, monkeypatch,
                                                                            capsys):
    import asyncio

    from bot.cli import main
    from storage.db import Database
    from storage.models.holidays import CalendarDay

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TONGXIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TONGXIN_SECRET", "test-secret-not-for-production")
    monkeypatch.setenv("TONGXIN_LANG", "en")
    bad = tmp_path / "bad.csv"
    bad.write_bytes("日期,类型\n2027-02-15,休\n下周一,休\n".encode("gb18030"))
    with pytest.raises(SystemExit) as done:
        main(["calendar", "holidays", str(bad)])
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.startswith("error: 3: ") and "下周一" in err and len(err.splitlines()) == 1
    with pytest.raises(SystemExit) as done:
        main(["calendar", "holidays", str(tmp_path / "missing.xlsx")])
    assert done.value.code == 2

    async def stored():
        database = Database(sqlite_url)
        async with database.session() as s:
            rows = (await s.execute(select(CalendarDay.day, CalendarDay.working).order_by(CalendarDay.day))).all()
        await database.dispose()
        return [tuple(r) for r in rows]

    assert asyncio.run(stored()) == []
    good = tmp_path / "holidays.csv"
    good.write_text(HOLIDAYS_CSV, encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["calendar", "holidays", str(good)])
    assert done.value.code == 0 and "1 day(s) off, 1 weekend working day(s) for 2027" in capsys.readouterr().out
    assert asyncio.run(stored()) == [(date(2027, 2, 15), False), (date(2027, 2, 20), True)]


async def test_an_offer_held_in_the_outbox_starts_its_hold_when_it_is_delivered(db, ctx, clock):
    from storage.models.outbox import Outbox
    from storage.reception import cancel, confirm_offer, expire_offers
    from storage.reception.jobs import offer_key

    await _roster(db, ctx)
    async with db.session() as s:
        people = {m.employee_no: m for m in (await s.execute(select(Member))).scalars()}
        for n, m in enumerate(people.values()):
            m.chat_id = 8000 + n
        [day] = await reception.create(s, ctx, _spec(), actor_id=None)
        slot = (await s.execute(select(ReceptionSlot.id).where(ReceptionSlot.day_id == day.id))).scalars().first()
        first = await book(s, ctx, people["1002"], slot, "食堂")
        waiting = await book(s, ctx, people["1003"], slot, "停车", waitlist=True)
        await cancel(s, ctx, people["1002"], first.booking.id)
        offered_until = (await s.get(Booking, waiting.booking.id)).offer_expires_at
    assert offered_until == ctx.now() + timedelta(hours=2)
    clock.advance(hours=3)  # a backlog kept the offer in the outbox all this time
    async with db.session() as s:
        assert await expire_offers(s, ctx) == 0
        assert (await s.get(Booking, waiting.booking.id)).status == "offered"
        row = (await s.execute(select(Outbox).where(Outbox.dedupe_key == offer_key(waiting.booking.id)))).scalar_one()
        row.status, row.sent_at = "sent", ctx.now()  # delivered now
    clock.advance(hours=1, minutes=59)
    async with db.session() as s:
        assert await expire_offers(s, ctx) == 0
        confirmed = await confirm_offer(s, ctx, people["1003"], waiting.booking.id)
    assert confirmed.status == "booked"
