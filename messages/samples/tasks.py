"""Sample contexts for the responsibility list's templates."""
from datetime import date, datetime

from storage.tasks import OverdueGroup

_task = {"id": 7, "no": "2026-001", "title": "完成年度安全生产培训", "description": "全员参加",
         "lead": "生产部", "coops": ["财务部", "办公室"], "owner": "王芳", "deadline": "2026-12-10",
         "status": "in_progress", "colour": "blue", "days_left": 3, "overdue": False, "days_overdue": 0, "hours_overdue": None,
         "note": "已完成培训"}
_late = {**_task, "no": "2026-002", "colour": "red", "days_left": -2, "overdue": True, "days_overdue": 2, "coops": []}
_late_today = {**_late, "no": "2026-003", "days_left": 0, "days_overdue": 0, "hours_overdue": 3}
_new = {"title": "整理台账", "lead": "生产部", "coops": ["财务部"], "owner": "王芳", "deadline": "2026-12-31"}

SAMPLES = {
    "tasks_status": {"status": "reported"},
    "tasks_colour": {"colour": "yellow"},
    "tasks_overdue_span": {"task": _late_today},
    "tasks_line": {"task": _late},
    "tasks_button": {"name": "progress"},
    "tasks_list_empty": {},
    "tasks_list_header": {"count": 45, "shown": 30},
    "tasks_item": {"task": _task},
    "tasks_overdue_none": {},
    "tasks_overdue_list": {"groups": [OverdueGroup("生产部", [_late]), OverdueGroup("财务部", [_late])], "total": 2},
    "tasks_template_caption": {},
    "tasks_template_example": {"field": "title"},
    "tasks_imported": {"created": 3, "updated": 2, "rescheduled": 1},
    "tasks_note_toast": {"kind": "done"},
    "tasks_note_prompt": {"kind": "return", "task": _task},
    "tasks_note_saved": {"kind": "done", "task": _task},
    "tasks_confirmed": {"task": _task, "by": "张伟"},
    "tasks_new_prompt": {"step": "confirm", "data": _new},
    "tasks_new_press_button": {},
    "tasks_created": {"task": _task},
    "tasks_assigned": {"what": "assigned", "task": _task},
    "tasks_report_to_secretary": {"task": _task, "evidence": {"kind": "photo"}},
    "tasks_owner_notice": {"what": "returned", "task": _task, "by": "张伟", "reason": "缺少签到表"},
    "tasks_reminder": {"task": _late, "stage": "overdue2", "kind": "overdue"},
    "tasks_overdue_alert": {"task": _late, "stage": "alert"},
    "tasks_escalation": {"task": _late, "stage": "escalate", "days": 3},
    "tasks_digest": {"day": date(2026, 12, 3), "due": [_task], "overdue": [_late], "waiting": [_task],
                     "counts": [1, 1, 1]},
    "tasks_not_found": {},
    "tasks_not_yours": {},
    "tasks_state_changed": {"status": "done"},
    "tasks_not_your_unit": {},
    "tasks_note_empty": {},
    "tasks_evidence_caption": {"task": _task, "kind": "done", "name": "签到表.pdf"},
    "tasks_evidence_needs_caption": {},
    "tasks_evidence_not_here": {},
    "tasks_evidence_too_large": {"limit_mb": 20},
    "tasks_note_too_long": {"limit": 2000},
    "tasks_new_unknown_unit": {"name": "采购部"},
    "tasks_new_unknown_member": {"value": "9999"},
    "tasks_new_bad_date": {"value": "明天"},
    "tasks_deadline_past": {"value": "2020-01-01"},
    "tasks_cancel_usage": {},
    "tasks_cancelled": {"task": _task},
    "tasks_template_filename": {},
    "problem_tasks_not_your_unit": {"task_no": "2026-003", "value": "财务部"},
    "problem_owner_ambiguous": {"value": "王芳", "candidates": [{"name": "王芳", "unit": "生产部", "no": "1002"},
                                                                {"name": "王芳", "unit": "财务部", "no": "1012"}]},
    "problem_unknown_member_name": {"value": "王小芳"},
}

_page = {"whose": "units", "filter": "overdue", "number": 1, "pages": 2, "total": 12, "tasks": [_task, _late]}
SAMPLES.update({
    "tasks_page": {"list": _page},
    "tasks_list_button": {"task": _late},
    "tasks_filter": {"name": "week"},
    "tasks_notes": {"task": _task, "notes": [{"kind": "progress", "text": "已完成一半", "by": "王芳",
                                              "at": datetime(2026, 12, 3, 9, 30), "evidence": {"kind": "photo"}}]},
})
SAMPLES.update({
    "tasks_nudge_to_owner": {"task": _late, "by": "张伟"},
    "tasks_nudge_button": {"task": _late},
    "tasks_nudged": {"task": _late},
    "tasks_nudged_today": {"no": "2026-002", "by": "张伟", "at": datetime(2026, 12, 3, 9, 30)},
})
