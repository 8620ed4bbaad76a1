"""The meeting ledger (组织生活台账): one sheet per kind, one row per meeting, written through storage.exports
("made up" counts those who missed it and have learned its make-up lesson);
and the meeting plan a secretary imports for a quarter (`meetings import FILE`), checked whole before any
meeting is made."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import calendar, exports
from storage.context import Context
from storage.errors import InvalidFile, Problem, Refused
from storage.tabular import CHAT, Limits, Row, read_table
from storage.orglife.makeup import made_up
from storage.orglife.models import PLANNED, Meeting
from storage import units
from storage.orglife.people import named
from storage.orglife.rules import KINDS, PLACE_MAX, TOPIC_MAX, Plan, branch_named, host_name, plan, tally


def minutes_cell(meeting: Meeting) -> str:
    if meeting.minutes_text:
        return meeting.minutes_text
    return meeting.minutes_file_name or ("✓" if meeting.minutes_file_id else "")


async def ledger(session: AsyncSession, ctx: Context, branch_text: str, year: int, lang: str = "zh") -> bytes:
    if not 2000 <= year <= 2100:
        raise Refused("orglife_bad_year", value=year)
    branch = await branch_named(session, branch_text)
    start = calendar.at_local(date(year, 1, 1), time(0), ctx)
    end = calendar.at_local(date(year + 1, 1, 1), time(0), ctx)
    meetings = (await session.execute(select(Meeting).where(
        Meeting.branch_id == branch.id, Meeting.status == PLANNED, Meeting.starts_at >= start,
        Meeting.starts_at < end).order_by(Meeting.starts_at, Meeting.id))).scalars().all()
    learned = {mid: done for mid, (_, done) in (await made_up(session, [m.id for m in meetings])).items()}
    book = exports.XlsxWriter()
    header = [h.strip() for h in render(lang, "orglife_ledger_header").split("|")]
    for kind in KINDS:
        sheet = book.sheet(kind)
        sheet.append(header, bold=True)
        for m in (m for m in meetings if m.kind == kind):
            t = await tally(session, m.id)
            sheet.append([m.kind, calendar.local(m.starts_at, ctx).strftime("%Y-%m-%d %H:%M"), m.topic,
                          await host_name(session, m), t.invited, t.present, t.leave, t.absent, learned.get(m.id, 0),
                          minutes_cell(m)])
        sheet.widths({"B": 18, "C": 40, "D": 12})
    return book.to_bytes()


COLUMNS = {
    "branch": ("支部", "党支部", "branch"),
    "kind": ("会议类型", "类型", "kind"),
    "at": ("时间", "会议时间", "time", "at"),
    "place": ("地点", "会议地点", "place"),
    "topic": ("主题", "会议主题", "topic"),
    "host": ("主持人工号", "主持人", "host"),
}
REQUIRED = ("branch", "kind", "at", "place", "topic")


def read_plan(data: bytes, filename: str, limits: Limits = CHAT) -> list[Row]:
    return read_table(data, filename, COLUMNS, REQUIRED, limits)


async def import_plan(session: AsyncSession, ctx: Context, rows: list[Row]) -> list[tuple[Meeting, int]]:
    """Check every row, then plan every meeting; any problem refuses the whole file and writes nothing."""
    problems: list[Problem] = []
    for row in rows:
        for column in REQUIRED:
            if not row.text(column):
                problems.append(Problem(row.number, "orglife_row", {"which": "missing", "column": column,
                                                                    "value": ""}))
        branch, kind, at = row.text("branch"), row.text("kind"), row.text("at")
        if branch and await units.by_name(session, "branch", branch) is None:
            problems.append(Problem(row.number, "orglife_row", {"which": "bad", "column": "branch", "value": branch}))
        if kind and kind not in KINDS:
            problems.append(Problem(row.number, "orglife_row", {"which": "bad", "column": "kind", "value": kind}))
        if at:
            moment = calendar.parse_moment(at, ctx, time(9))
            if moment is None or moment <= ctx.now():
                problems.append(Problem(row.number, "orglife_row", {"which": "bad" if moment is None else "past",
                                                                    "column": "at", "value": at}))
        for column, limit in (("place", PLACE_MAX), ("topic", TOPIC_MAX)):
            if len(row.text(column)) > limit:
                problems.append(Problem(row.number, "orglife_row", {"which": "bad", "column": column,
                                                                    "value": row.text(column)[:20] + "…"}))
        host = row.text("host")
        if host:  # an employee number or a name fitting one active member, as in the chat
            try:
                await named(session, host, "orglife_unknown_host")
            except Refused as refused:  # a name fitting several people names them, as in the chat
                several = refused.template == "orglife_ambiguous_person"
                problems.append(Problem(row.number, "orglife_row", {"which": "ambiguous" if several else "bad",
                                                                    "column": "host", "value": host,
                                                                    **(refused.params if several else {})}))
    if problems:
        raise InvalidFile(problems)
    made = []
    for row in rows:
        try:
            made.append(await plan(session, ctx, Plan(branch=row.text("branch"), kind=row.text("kind"),
                                                      at=row.text("at"), place=row.text("place"),
                                                      topic=row.text("topic"), host_no=row.text("host") or None),
                                   actor=None))
        except Refused as refused:  # a branch with nobody to invite, say: the whole file is refused
            raise InvalidFile([Problem(row.number, "orglife_row", {"which": "refused", "column": "branch",
                                                                   "value": row.text("branch")})]) from refused
    return made
