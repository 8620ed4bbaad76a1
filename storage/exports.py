"""The one writer of every `.xlsx` and `.csv` the project produces: people's text is written as text.

Excel and WPS run a cell that starts with `=`, `+`, `-`, `@` (and, in CSV, tab or carriage return) as a
formula or a DDE call, so an answer typed as `=HYPERLINK(...)` would become a live link in a secretary's
workbook. Following OWASP's CSV-injection rule, such text is prefixed with a single quote; numbers, dates
and booleans stay what they are. `XlsxWriter.to_bytes` checks every cell of every sheet once more before
saving, so a cell set any other way cannot slip through either.
"""
from __future__ import annotations

import csv
import io
from typing import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)


def safe(value):
    """`value` as a spreadsheet may show it: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


class Sheet:
    """One worksheet; rows are appended through `safe`."""

    def __init__(self, ws):
        self.ws = ws

    def append(self, values: Iterable, *, bold: bool = False) -> None:
        self.ws.append([safe(v) for v in values])
        if bold:
            for cell in self.ws[self.ws.max_row]:
                cell.font = BOLD

    def widths(self, widths: dict[str, float]) -> None:
        for column, width in widths.items():
            self.ws.column_dimensions[column].width = width

    def freeze(self, cell: str) -> None:
        """Keep the rows above and the columns left of `cell` in view (header rows frozen)."""
        self.ws.freeze_panes = cell

    def number_format(self, row: int, column: int, fmt: str) -> None:
        self.ws.cell(row=row, column=column).number_format = fmt


class XlsxWriter:
    """A workbook of sheets whose every text cell is text."""

    def __init__(self) -> None:
        self.book = Workbook()
        self._fresh = self.book.active  # the sheet openpyxl makes; the first `sheet()` takes it

    def sheet(self, title: str) -> Sheet:
        if self._fresh is not None:
            ws, self._fresh = self._fresh, None
            ws.title = _title(title)
        else:
            ws = self.book.create_sheet(_title(title))
        return Sheet(ws)

    def to_bytes(self) -> bytes:
        for ws in self.book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(DANGEROUS)):
                        cell.value = safe(str(cell.value))
                        cell.data_type = "s"
        buf = io.BytesIO()
        self.book.save(buf)
        return buf.getvalue()


def _title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\ ."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(title)).strip("'")
    return cleaned[:31] or "Sheet"


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """A CSV as Excel and WPS open it right (UTF-8 with a BOM), every cell through `safe`."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow([safe(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
