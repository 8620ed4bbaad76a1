"""一人一档 (a file per member): the face handlers, the CLI and tests use.

Inside: `rules` (who may read whose file, finding the member, the year's file), `files` (the export workbook).
"""
from __future__ import annotations

from storage.memberfile.files import export_xlsx, unit_members
from storage.memberfile.rules import LIST_LIMIT, build, by_id, resolve, visible, year_bounds

__all__ = ["LIST_LIMIT", "build", "by_id", "export_xlsx", "resolve", "unit_members", "visible", "year_bounds"]
