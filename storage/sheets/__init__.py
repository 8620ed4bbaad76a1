"""The sheets people bring: the face handlers and tests use.

Inside: `templates` (the blank sheet of each import, with an example row).
"""
from __future__ import annotations

from storage.sheets.templates import NAMES, canonical, template

__all__ = ["NAMES", "canonical", "template"]
