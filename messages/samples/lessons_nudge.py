"""Sample contexts for who has not studied a lesson and the one-press reminder (storage/lessons/nudging.py)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from storage.lessons import Unlearned

_AT = datetime(2026, 12, 3, 1, 30, tzinfo=timezone.utc)

SAMPLES = {
    "lesson_unlearned_button": {"title": "学习党章", "missing": 3},
    "lesson_unlearned": {"view": Unlearned(7, "学习党章", 5, [
        {"name": "王芳", "unit": "生产部", "registered": True},
        {"name": "李强", "unit": "生产部", "registered": False}], 2, 1, False, "张伟", _AT, 1)},
    "lesson_nudge_button": {"count": 3},
    "lesson_nudged": {"count": 3},
    "lesson_nudged_today": {"title": "学习党章", "by": "张伟", "at": _AT},
    "lesson_nudge_nobody": {"title": "学习党章"},
    "lesson_nudge_closed": {"title": "学习党章"},
    "lesson_nudge_not_yours": {},
    "lesson_nudge_to_member": {"title": "学习党章", "by": "张伟", "due": date(2026, 12, 10), "quiz": True},
}
