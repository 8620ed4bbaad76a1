"""Sample contexts for the /member card and file (一人一档), /me, the export and deactivation."""

from datetime import date

_MEMBER = {"id": 2, "no": "1002", "name": "王芳", "unit": "生产部", "branch": "第一支部", "roles": ["employee"],
           "party": True, "active": True, "registered": True, "open_tasks": 1}
_TASK = {"id": 1, "no": "T-1", "title": "安全培训", "lead": "生产部", "status": "open", "secretaries": ["张伟"]}

_FILE = {
    "year": 2026, "id": 2, "no": "1002", "name": "王芳", "unit": "生产部", "branch": "第一支部",
    "lessons_learned": 1, "lessons": [{"title": "学习党章", "learned_on": date(2026, 12, 2), "score": 100}],
    "quizzes": 1, "quiz_avg": 100.0, "points_year": 16, "points_total": 16, "surveys_done": 2,
    "tasks": [{"no": "T-1", "title": "安全培训", "due": date(2026, 12, 6), "status": "done", "on_time": True,
               "overdue": False}],
    "tasks_owned": 1, "tasks_due": 1, "tasks_on_time": 1, "tasks_open": 0, "on_time_rate": 1.0,
    "bookings": [{"day": date(2026, 12, 10), "leader": "赵磊", "topic": "班组排班", "status": "booked",
                  "attended": True, "outcome": "resolved"}], "bookings_count": 1,
    "tickets": [{"id": "ABCD2345", "category": "工作环境", "received_on": date(2026, 12, 1), "status": "已解决",
                 "rating": 5}], "tickets_count": 1,
}

SAMPLES = {
    "member_card": {"member": _MEMBER, "file": _FILE},
    "member_file": {"file": _FILE},
    "member_me": {"file": _FILE, "named": False},
    "member_me_button": {"named": True},
    "member_export_header": {"key": "on_time_rate"},
    "member_export_note": {"unit": "生产部", "year": 2026},
    "member_export_title": {"name": "王芳", "no": "1002", "year": 2026},
    "member_export_unknown_unit": {"value": "研发部"},
    "member_value": {"section": "tasks", "column": "status", "value": "done"},
    "member_button": {"name": "ask"},
    "member_confirm": {"name": "王芳", "no": "1002"},
    "member_kept": {"name": "王芳", "no": "1002"},
    "member_deactivated": {"results": [{"member": _MEMBER, "tasks": [_TASK]}]},
    "member_reassign_notice": {"items": [("王芳", "1002", _TASK)]},
    "member_usage": {},
    "member_not_found": {"no": "1009"},
    "member_already_inactive": {"name": "王芳", "no": "1002"},
    "member_not_yourself": {},
}
