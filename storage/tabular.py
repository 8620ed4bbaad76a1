"""Reads the tables secretaries bring: `.csv` (UTF-8 with or without BOM, or GB18030/GBK) and `.xlsx`
(title rows above the headers, trailing empty rows, dates as cells or text, numbers as text).

`read_table` finds the header row by the column names (English or Chinese), and returns each data row as
a dict keyed by canonical column name, with the row number a spreadsheet program would show. Every file is
held to `Limits` (size, what an `.xlsx` unpacks to, its declared dimensions, rows, cells, time) and is read
off the event loop with `read_off_loop`.
"""
from __future__ import annotations

import asyncio
import csv
import io
import re
import time as time_module
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Callable, TypeVar

from storage.errors import InvalidFile, Problem

HEADER_SEARCH_ROWS = 10
T = TypeVar("T")


@dataclass
class Row:
    number: int
    values: dict[str, str | datetime | date | None]

    def text(self, key: str) -> str:
        value = self.values.get(key)
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M") if value.time() != time(0) else value.strftime("%Y-%m-%d")
        if isinstance(value, date):
            return value.isoformat()
        return str(value).strip()


def _cell_to_text(value):
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value).strip()


def _decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InvalidFile([Problem(None, "file_encoding")]) from None


MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one upload may hold. A file over a cap is refused whole, naming the cap, before anything is written.

    `max_rows` counts the rows under the header; `max_unpacked` is the size an `.xlsx` unzips to (a small
    file can unpack to gigabytes); `seconds` bounds the reading itself.
    """

    max_rows: int = 20_000
    max_bytes: int = 5 * MB
    max_unpacked: int = 64 * MB
    max_columns: int = 64
    max_cells: int | None = None  # default: 16 cells a row on average
    seconds: float = 20.0

    @property
    def cells(self) -> int:
        return self.max_cells if self.max_cells is not None else self.max_rows * 16

    @property
    def raw_rows(self) -> int:
        """Rows read at all, empty ones included (a sheet may claim a million empty rows in a few bytes)."""
        return 2 * self.max_rows + HEADER_SEARCH_ROWS + 1000


CHAT = Limits()  # a file sent in chat, for tasks, surveys, targets and the roster
ROSTER_CLI = Limits(max_rows=200_000, max_bytes=64 * MB, max_unpacked=640 * MB, seconds=600.0)


def _refuse(code: str, **params) -> InvalidFile:
    return InvalidFile([Problem(None, code, params)])


def megabytes(n: int) -> str:
    return f"{n / MB:g} MB"


class _Budget:
    """Counts rows and cells as they are read and stops the reading at a cap or at the time limit."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.deadline = time_module.monotonic() + limits.seconds
        self.rows = self.filled = self.cells = 0

    def take(self, row: list) -> list:
        """The row without its trailing empty cells, counted."""
        limits = self.limits
        self.rows += 1
        while row and (row[-1] is None or row[-1] == ""):
            row.pop()
        if row:
            self.filled += 1
            self.cells += sum(1 for v in row if v is not None and v != "")
        if self.filled > limits.max_rows + HEADER_SEARCH_ROWS or self.rows > limits.raw_rows:
            raise _refuse("file_rows", limit=limits.max_rows)
        if self.cells > limits.cells:
            raise _refuse("file_cells", limit=limits.cells)
        if self.rows % 256 == 0 and time_module.monotonic() > self.deadline:
            raise _refuse("file_slow", seconds=int(limits.seconds))
        return row


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_xlsx_package(data: bytes, limits: Limits) -> None:
    """What the zip declares and what its sheets hold, counted in their bytes before any XML is parsed.

    zipfile holds each member to its declared size, so the sum is what unpacking can cost. openpyxl reads
    every sheet once at load to look for its dimension, so every sheet is checked, not only the first.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            if len(members) > 10_000 or sum(m.file_size for m in members) > limits.max_unpacked:
                raise _refuse("file_unpacked", limit=megabytes(limits.max_unpacked))
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                    _check_sheet(package, member, limits)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse("file_unreadable") from None


def _check_sheet(package: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> None:
    """The sheet's declared <dimension>, and its row elements counted (an upper bound on what is read)."""
    rows, head, carry = 0, b"", b""
    with package.open(member) as stream:
        while chunk := stream.read(1 << 20):
            if len(head) < 8192:
                head += chunk[:8192]
            window = carry + chunk  # a tag cut in two by the chunking is counted once, in the window
            rows += window.count(b"<row") + window.count(b":row ")
            carry = chunk[-5:]
            rows -= carry.count(b"<row") + carry.count(b":row ")
    if rows > limits.raw_rows:
        raise _refuse("file_rows", limit=limits.max_rows)
    declared = _DIMENSION.search(head)
    if declared:
        if int(declared.group(2)) > limits.raw_rows:
            raise _refuse("file_rows", limit=limits.max_rows)
        if _column_number(declared.group(1)) > limits.max_columns:
            raise _refuse("file_columns", limit=limits.max_columns)


def raw_rows(data: bytes, filename: str, limits: Limits = CHAT) -> list[list]:
    """Every row of a `.csv`, or of the first sheet of an `.xlsx`, within `limits` (InvalidFile beyond)."""
    if len(data) > limits.max_bytes:
        raise _refuse("file_too_big", limit=megabytes(limits.max_bytes))
    budget = _Budget(limits)
    name = filename.lower()
    if name.endswith(".csv"):
        text = _decode_csv(data)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        try:
            return [budget.take([_cell_to_text(c) or None for c in row[:limits.max_columns]])
                    for row in csv.reader(io.StringIO(text), dialect)]
        except csv.Error:
            raise _refuse("file_unreadable") from None
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        _check_xlsx_package(data, limits)
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise _refuse("file_unreadable") from None
        try:
            return [budget.take([_cell_to_text(c) for c in row])
                    for row in wb.worksheets[0].iter_rows(max_col=limits.max_columns, values_only=True)]
        except InvalidFile:
            raise
        except Exception:
            raise _refuse("file_unreadable") from None
        finally:
            wb.close()
    raise _refuse("file_type")


def _norm_header(value) -> str:
    return re.sub(r"[\s_*（）()]", "", str(value or "")).lower()


def read_table(data: bytes, filename: str, columns: dict[str, tuple[str, ...]], required: tuple[str, ...],
               limits: Limits = CHAT) -> list[Row]:
    """Rows of the first sheet under the header row; `columns` maps canonical names to accepted headers.

    Synchronous and free of the database: callers in the bot run it through `read_off_loop`."""
    rows = raw_rows(data, filename, limits)
    aliases = {_norm_header(a): key for key, names in columns.items() for a in (key, *names)}
    header_index, mapping = None, {}
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {idx: aliases[_norm_header(c)] for idx, c in enumerate(row) if _norm_header(c) in aliases}
        if set(required) <= set(found.values()):
            header_index, mapping = i, found
            break
    if header_index is None:
        raise InvalidFile([Problem(None, "file_headers", {"columns": ", ".join(required)})])
    out: list[Row] = []
    for i, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        values = {key: (row[idx] if idx < len(row) else None) for idx, key in mapping.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue  # empty rows, trailing or in between
        out.append(Row(i, values))
    if not out:
        raise InvalidFile([Problem(None, "file_empty")])
    if len(out) > limits.max_rows:
        raise _refuse("file_rows", limit=limits.max_rows)
    return out


async def read_off_loop(reader: Callable[[bytes, str, Limits], T], data: bytes, filename: str,
                        limits: Limits = CHAT) -> T:
    """`reader(data, filename, limits)` in a worker thread, so the event loop keeps answering everyone else.

    The reader stops itself at the time limit (checked as rows are read); waiting gives up a little later
    in any case. Call it with no transaction open: parsing must never hold the database."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(reader, data, filename, limits), limits.seconds + 5)
    except asyncio.TimeoutError:
        raise _refuse("file_slow", seconds=int(limits.seconds)) from None


YES = {"yes", "y", "true", "1", "是", "党员", "中共党员", "√", "x", "有"}
NO = {"no", "n", "false", "0", "否", "群众", "非党员", "", "无"}


def parse_bool(value: str) -> bool | None:
    v = value.strip().lower()
    if v in YES:
        return True
    if v in NO:
        return False
    return None


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2})[:：](\d{2})(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?(?:\s*(\d{1,2})[:：时](\d{2})分?)?$"),
]


def parse_datetime(value) -> tuple[date, time | None] | None:
    """A date and, if given, a time of day; None if the value is not a date we can read."""
    if isinstance(value, datetime):
        return value.date(), (value.time() if value.time() != time(0) else None)
    if isinstance(value, date):
        return value, None
    text = str(value or "").strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                at = time(int(m.group(4)), int(m.group(5))) if m.group(4) else None
            except ValueError:
                return None
            return day, at
    return None


def split_list(value: str) -> list[str]:
    """Lists in one cell: separated by ; 、 , ， ； or |."""
    return [p.strip() for p in re.split(r"[;；、,，|]", value or "") if p.strip()]
