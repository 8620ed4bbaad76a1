"""Hostile spreadsheets, made the way an attacker would: small files that unpack to a great many rows."""
from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>')
TAIL = "</sheetData></worksheet>"
TASK_HEADERS = ("task_no", "title", "lead_department", "owner_employee_no", "deadline")


def _cells(r: int, values) -> str:
    return "".join(f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))


def xlsx_bomb(rows: int, *, dimension: str | None = None, gap: bool = False) -> bytes:
    """An `.xlsx` whose first sheet holds the task headers and then `rows` rows of one cell (written streaming, so the test
    itself stays small). `dimension` is what the sheet declares (none by default, as a forger leaves it);
    `gap`: only a last row at `rows`, which a reader fills in with empty rows."""
    template = io.BytesIO()
    Workbook().save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as dst:
        for item in src.infolist():
            if item.filename != SHEET:
                dst.writestr(item, src.read(item.filename))
        with dst.open(SHEET, "w") as sheet:
            dim = f'<dimension ref="{dimension}"/>' if dimension else ""
            sheet.write((HEAD.format(dimension=dim) + f'<row r="1">{_cells(1, TASK_HEADERS)}</row>').encode())
            if gap:
                sheet.write(f'<row r="{rows}">{_cells(rows, ("T-1", "x", "生产部", "1002", "2026-12-20"))}</row>'
                            .encode())
            else:
                chunk = []
                for r in range(2, rows + 2):
                    chunk.append(f'<row r="{r}">{_cells(r, (f"T-{r}",))}</row>')
                    if len(chunk) == 5000:
                        sheet.write("".join(chunk).encode())
                        chunk = []
                sheet.write("".join(chunk).encode())
            sheet.write(TAIL.encode())
    return out.getvalue()
