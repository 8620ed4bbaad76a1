"""The member files of a unit as one workbook (`member export --unit U --out FILE.xlsx`): a summary sheet,
one row per member, then one sheet per member with the year's lessons, tasks, bookings and signed tickets.
Headers in the reader's language; the first rows say that nothing anonymous is included."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import plain
from storage import exports, units
from storage.context import Context
from storage.errors import Refused
from storage.memberfile.rules import build
from storage.models.org import Member

SUMMARY = ["no", "name", "unit", "branch", "lessons_learned", "quizzes", "quiz_avg", "points_year", "points_total",
           "surveys_done", "tasks_owned", "tasks_due", "tasks_on_time", "on_time_rate", "bookings_count",
           "tickets_count"]


async def unit_members(session: AsyncSession, unit_text: str) -> tuple[str, list[Member]]:
    """(the unit's path, its members and those of the units below it, by employee number)."""
    unit = await units.find_any(session, unit_text)
    if unit is None:
        raise Refused("member_export_unknown_unit", value=unit_text)
    ids = await units.subtree_ids(session, {unit.id})
    people = list((await session.execute(
        select(Member).where((Member.unit_id.in_(ids)) | (Member.branch_id.in_(ids)))
        .order_by(Member.employee_no))).scalars())
    return unit.path, people


def _h(lang: str, key: str) -> str:
    return plain(lang, "member_export_header", key=key)


async def export_xlsx(session: AsyncSession, ctx: Context, unit_text: str, lang: str = "zh",
                      year: int | None = None) -> tuple[bytes, int]:
    """(workbook bytes, members written)."""
    path, people = await unit_members(session, unit_text)
    files = [await build(session, ctx, m, lang, year=year, limit=None) for m in people]
    book = exports.XlsxWriter()
    summary = book.sheet(_h(lang, "summary"))
    year_label = files[0]["year"] if files else (year or ctx.local_now().year)
    summary.append([plain(lang, "member_export_note", unit=path, year=year_label)])
    summary.append([_h(lang, k) for k in SUMMARY], bold=True)
    for f in files:
        summary.append([f[k] if k != "on_time_rate" or f[k] is None else round(f[k], 4) for k in SUMMARY])
        if f["on_time_rate"] is not None:
            summary.number_format(summary.ws.max_row, SUMMARY.index("on_time_rate") + 1, "0.0%")
    summary.freeze("A3")
    summary.widths({chr(ord("A") + i): 14 for i in range(len(SUMMARY))})
    for f in files:
        _member_sheet(book, lang, f)
    return book.to_bytes(), len(files)


def _member_sheet(book: exports.XlsxWriter, lang: str, f: dict) -> None:
    sheet = book.sheet(f"{f['no']} {f['name']}")
    sheet.append([plain(lang, "member_export_title", name=f["name"], no=f["no"], year=f["year"])], bold=True)
    sheet.append([_h(lang, "note_short")])
    sheet.append([_h(lang, k) for k in SUMMARY[4:]], bold=True)
    sheet.append([f[k] for k in SUMMARY[4:]])
    sections = [
        ("lessons", ["title", "learned_on", "score"], f["lessons"]),
        ("tasks", ["no", "title", "due", "status", "on_time"], f["tasks"]),
        ("bookings", ["day", "leader", "topic", "status", "outcome"], f["bookings"]),
        ("tickets", ["id", "category", "received_on", "status", "rating"], f["tickets"]),
    ]
    for name, columns, rows in sections:
        sheet.append([])
        sheet.append([_h(lang, name)], bold=True)
        sheet.append([_h(lang, f"{name}.{c}") for c in columns], bold=True)
        for row in rows:
            sheet.append([_cell(lang, name, c, row[c]) for c in columns])
    sheet.widths({"A": 22, "B": 28, "C": 16, "D": 16, "E": 14})


def _cell(lang: str, section: str, column: str, value):
    if column == "on_time" or (section in ("tasks", "bookings") and column in ("status", "outcome")
                               and value is not None):  # on time: None is "not due yet"
        return plain(lang, "member_value", section=section, column=column, value=value)
    return value
