"""The meeting ledger (组织生活台账): one sheet per kind, one row per meeting, written through storage.exports."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import calendar, exports
from storage.context import Context
from storage.errors import Refused
from storage.orglife.models import PLANNED, Meeting
from storage.orglife.rules import KINDS, branch_named, host_name, tally


def minutes_cell(meeting: Meeting) -> str:
    if meeting.minutes_text:
        return meeting.minutes_text
    return meeting.minutes_file_name or ("✓" if meeting.minutes_file_id else "")


async def ledger(session: AsyncSession, ctx: Context, branch_text: str, year: int, lang: str = "zh") -> bytes:
    if not 2000 <= year <= 2100:
        raise Refused("orglife_bad_year", value=year)
    branch = await branch_named(session, branch_text)
    start, end = calendar.at_local(date(year, 1, 1), time(0), ctx), calendar.at_local(date(year + 1, 1, 1), time(0), ctx)
    meetings = (await session.execute(select(Meeting).where(
        Meeting.branch_id == branch.id, Meeting.status == PLANNED, Meeting.starts_at >= start,
        Meeting.starts_at < end).order_by(Meeting.starts_at, Meeting.id))).scalars().all()
    book = exports.XlsxWriter()
    header = [h.strip() for h in render(lang, "orglife_ledger_header").split("|")]
    for kind in KINDS:
        sheet = book.sheet(kind)
        sheet.append(header, bold=True)
        for m in (m for m in meetings if m.kind == kind):
            t = await tally(session, m.id)
            sheet.append([m.kind, calendar.local(m.starts_at, ctx).strftime("%Y-%m-%d %H:%M"), m.topic,
                          await host_name(session, m), t.invited, t.present, t.leave, t.absent, 0,
                          minutes_cell(m)])
        sheet.widths({"B": 18, "C": 40, "D": 12})
    return book.to_bytes()
