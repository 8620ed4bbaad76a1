"""/newreception for a secretary: one typed answer at a time (leader, date, hours, place, who may book, the
notice period), each checked as it comes, then once or recurring. The answers are kept in a dialog row, so a
restart resumes the flow; the day itself is made by `reception.create`, which checks everything again.
"""
from __future__ import annotations

import re
from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from storage import audiences, dialogs, picker
from storage.reception import rules as reception
from storage.context import Context
from storage.errors import Refused
from storage.reception.models import ReceptionDay
from storage.reception.rules import (DEFAULT_NOTICE_DAYS, NOTICE_MAX, DaySpec, check_hours, check_leader, check_place,
                               parse_date, parse_time)

DEFAULT_SLOT = 30
DEFAULT_CAPACITY = 1
_NOTICE = re.compile(r"^(\d{1,2})\s*(个?工作日|天|working days?|days?)?$", re.IGNORECASE)


def parse_hours(text: str) -> tuple[time, time, int | None, int | None]:
    """`14:00-16:00 [slot minutes] [capacity]`, as a secretary types it."""
    parts = re.sub(r"\s*[-—–~～至到]\s*", "-", (text or "").strip()).split()
    if not parts or parts[0].count("-") != 1 or len(parts) > 3:
        raise Refused("reception_bad_hours", value=text or "")
    start, end = (parse_time(p) for p in parts[0].split("-"))
    numbers: list[int | None] = []
    for p in parts[1:3]:
        if not p.isdigit():
            raise Refused("reception_bad_hours", value=text or "")
        numbers.append(int(p))
    numbers += [None] * (2 - len(numbers))
    return start, end, numbers[0], numbers[1]


def parse_notice(text: str) -> int:
    """Working days' notice a booking needs: `2`, `2 个工作日`, `3天`."""
    m = _NOTICE.match((text or "").strip())
    if not m or int(m.group(1)) > NOTICE_MAX:
        raise Refused("reception_bad_notice", value=text or "")
    return int(m.group(1))


async def answer(session: AsyncSession, ctx: Context, step: str, text: str,
                 lang: str = "zh") -> tuple[str, dict]:
    """Check one typed answer; returns the next step and what to keep in the dialog."""
    if step == "leader":  # a name, part of one or an employee number; several are offered as buttons
        leader = await check_leader(session, (await picker.resolve_member(session, lang, text, step)).employee_no)
        return "date", {"leader_no": leader.employee_no, "leader": leader.name}
    if step == "date":
        day = parse_date(text)
        if day < ctx.local_now().date():
            raise Refused("reception_in_past", day=day)
        return "hours", {"date": day.isoformat()}
    if step == "hours":
        start, end, minutes, capacity = parse_hours(text)
        minutes = DEFAULT_SLOT if minutes is None else minutes
        capacity = DEFAULT_CAPACITY if capacity is None else capacity
        check_hours(start, end, minutes, capacity)
        return "place", {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"), "slot": minutes,
                         "capacity": capacity}
    if step == "place":
        return "audience", {"place": check_place(text)}
    if step == "audience":
        return "notice", {"audience": await audiences.validate(session, text)}
    if step == "notice":
        return "repeat", {"notice": parse_notice(text)}
    raise Refused("reception_wizard_press")  # the last step is answered with a button


def spec(data: dict, repeat: str) -> DaySpec:
    """The day the answers describe; `repeat` is once, monthly (on that day of the month) or weekly."""
    day = date.fromisoformat(data["date"])
    rule = None if repeat == "once" else repeat
    value = None if rule is None else (day.day if rule == "monthly" else day.isoweekday())
    return DaySpec(leader_no=data["leader_no"], day=day, start=parse_time(data["start"]), end=parse_time(data["end"]),
                   slot_minutes=data["slot"], capacity=data["capacity"], place=data["place"],
                   audience=data.get("audience", "all"), notice_days=data.get("notice", DEFAULT_NOTICE_DAYS),
                   rule=rule, rule_value=value)


async def finish(session: AsyncSession, ctx: Context, member_id: int, data: dict, repeat: str,
                 shifts: list | None = None) -> list[ReceptionDay] | Refused:
    """The last button: make the day (or series). The flow ends either way: a refusal here (the date passed
    while the wizard stood open, the leader left) is not mended by pressing again, and writes nothing."""
    try:
        async with session.begin_nested():
            made = await reception.create(session, ctx, spec(data, repeat), actor_id=member_id, shifts=shifts)
    except Refused as refused:
        await dialogs.clear(session, member_id)
        return refused
    await dialogs.clear(session, member_id)
    return made
