"""Reads the tables secretaries bring: `.csv` (UTF-8 with or without BOM, or GB18030/GBK) and `.xlsx`
(title rows above the headers, trailing empty rows, dates as cells or text, numbers as text).

`read_table` finds the header row by the column names (English or Chinese), and returns each data row as
a dict keyed by canonical column name, with the row number a spreadsheet program would show.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from storage.errors import InvalidFile, Problem

HEADER_SEARCH_ROWS = 10


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


def raw_rows(data: bytes, filename: str) -> list[list]:
    name = filename.lower()
    if name.endswith(".csv"):
        text = _decode_csv(data)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return [[_cell_to_text(c) or None for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise InvalidFile([Problem(None, "file_unreadable")]) from None
        try:
            ws = wb.worksheets[0]
            return [[_cell_to_text(c) for c in row] for row in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
    raise InvalidFile([Problem(None, "file_type")])


def _norm_header(value) -> str:
    return re.sub(r"[\s_*（）()]", "", str(value or "")).lower()


def read_table(data: bytes, filename: str, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> list[Row]:
    """Rows of the first sheet under the header row; `columns` maps canonical names to accepted headers."""
    rows = raw_rows(data, filename)
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
    return out


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
