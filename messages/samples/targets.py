"""Sample contexts for the target texts."""
from datetime import date

_ITEM = {"key": "lessons.coverage", "name": "党员教育覆盖率", "unit": "生产部", "actual": "45.0%",
         "target": "90.0%", "due_on": date(2027, 6, 30), "expected": "60.0%", "gap": "15.0 个百分点",
         "on_track": False}

SAMPLES = {
    "targets_no_value": {"key": "lessons.coverage", "name": "党员教育覆盖率"},
    "targets_bad_value": {"key": "lessons.coverage", "name": "党员教育覆盖率", "value": "很多"},
    "targets_no_date": {},
    "targets_imported": {"count": 3},
    "targets_bad_margin": {"key": "lessons.coverage", "name": "党员教育覆盖率", "value": "很多"},
    "targets_bad_date": {"value": "明年"},
    "targets_past_date": {"value": "2026-01-01"},
    "targets_unknown_unit": {"value": "后勤部"},
    "targets_import_row": {"row": 3, "reason": "targets_past_date", "value": "2026-01-01"},
    "targets_set": {"t": _ITEM},
    "targets_list": {"items": [_ITEM, {**_ITEM, "unit": None, "on_track": True}], "admin": True,
                     "example": {"key": "lessons.coverage", "zh": "党员教育覆盖率", "en": "Education coverage"}},
    "targets_warning": {"week": "2026-W49", "monday": date(2026, 11, 30), "whole": False, "items": [_ITEM],
                        "worse": [{**_ITEM, "previous": "100.0%", "change": "50.0 个百分点", "margin": "5.0 个百分点"}]},
    "targets_usage": {},
    "targets_task_title": {"name": "党员教育覆盖率", "unit": "生产部"},
    "targets_task_button": {"name": "党员教育覆盖率", "unit": "生产部"},
    "targets_task_made": {"task_no": "2027-N007", "title": "整改：党员教育覆盖率（生产部）落后于目标进度",
                          "due": date(2027, 1, 18)},
    "targets_task_exists": {"task_no": "2027-N007"},
    "targets_task_no_unit": {},
    "targets_gone": {},
}
