"""The reminder schedule as arithmetic: for any deadline and any sequence of ticks, stages only move forward
and each is entered at most once; the overdue stage begins exactly at the deadline."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from hypothesis import given, settings, strategies as st

from storage.clock import FrozenClock
from storage.context import Context
from storage.tasks import OPEN, Task
from storage.tasks import OVERDUE, deadline_moment, latest_stage, stage_moment

CTX = Context(clock=FrozenClock(datetime(2026, 12, 3, 1, 0, tzinfo=timezone.utc)))
START = datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)


def task(day: date, at: time | None) -> Task:
    return Task(due_date=day, due_time=at, deadline_at=deadline_moment(day, at, CTX), status=OPEN)


deadlines = st.builds(task, st.dates(date(2026, 12, 1), date(2027, 1, 31)),
                      st.none() | st.times().map(lambda t: t.replace(second=0, microsecond=0)))
ticks = st.lists(st.integers(0, 70 * 24 * 60), min_size=1, max_size=40).map(sorted)


@settings(max_examples=300, deadline=None)
@given(deadlines, ticks)
def test_stages_only_move_forward_and_each_is_entered_once(t, minutes):
    entered, last = [], -1
    for m in minutes:
        now = START + timedelta(minutes=m)
        stage = latest_stage(t, now, CTX)
        assert stage >= last
        if stage >= 0:
            assert stage_moment(t, stage, CTX) <= now < stage_moment(t, stage + 1, CTX)
        if stage > last:
            entered.append(stage)
        last = stage
    assert len(entered) == len(set(entered))


@settings(max_examples=300, deadline=None)
@given(deadlines)
def test_stage_moments_are_in_order_and_overdue_is_the_deadline_itself(t):
    moments = [stage_moment(t, s, CTX) for s in range(OVERDUE + 6)]
    assert moments == sorted(moments)
    assert moments[OVERDUE] == t.deadline_at
    assert all(m < t.deadline_at for m in moments[:OVERDUE] if m != t.deadline_at)
    assert latest_stage(t, t.deadline_at - timedelta(microseconds=1), CTX) < OVERDUE
    assert latest_stage(t, t.deadline_at, CTX) == OVERDUE


def test_a_date_alone_passes_at_the_end_of_that_day_in_the_organisations_zone():
    t = task(date(2026, 12, 7), None)
    assert t.deadline_at == datetime(2026, 12, 7, 16, 0, tzinfo=timezone.utc)  # 00:00 on the 8th in Shanghai
    assert stage_moment(t, 0, CTX) == datetime(2026, 12, 4, 1, 0, tzinfo=timezone.utc)  # 09:00 on the 4th
    timed = task(date(2026, 12, 7), time(8, 0))
    assert stage_moment(timed, 2, CTX) == timed.deadline_at  # due before 09:00: the "today" reminder is skipped
