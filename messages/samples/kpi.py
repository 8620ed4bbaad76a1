"""Sample contexts for the KPI board."""
from datetime import date

SAMPLES = {
    "kpi_chart_caption": {"kind": "units", "period": "2026-12", "key": [(1, "生产部"), (2, "财务部")]},
    "kpi_bad_period": {"value": "11月"},
    "kpi_targets": {"period": "2026-12", "items": [
        {"key": "lessons.coverage", "name": "党员教育覆盖率", "unit": "生产部", "actual": "33.3%", "target": "90.0%",
         "due_on": date(2027, 3, 31), "expected": "60.0%", "gap": "26.7 个百分点", "on_track": False,
         "previous": "—", "trend": "none"}]},
    "kpi_unknown_indicator": {"key": "tasks.rate", "known": [
        {"key": "lessons.coverage", "zh": "党员教育覆盖率", "en": "Education coverage"},
        {"key": "tasks.on_time_rate", "zh": "责任清单按时完成率", "en": "On-time completion"}]},
    "kpi_board": {"period": "2026-11", "whole": True, "board": {
        "tasks": {"tasks_due": 10, "tasks_done_on_time": 8, "on_time_rate": 0.8, "overdue": 1,
                  "overdue_as_of": date(2026, 11, 30),
                  "avg_days_overdue": 2.5},
        "lessons": {"lessons_published": 2, "audience": 40, "learned": 30, "coverage": 0.75, "avg_score": 86.0},
        "surveys": {"surveys_closed": 1, "response_rate": 0.6, "satisfaction_avg": 4.2},
        "feedback": {"tickets_received": 5, "first_reply_days": {"0": 2, "1": 1, "2": 0, "3+": 1},
                     "answered_in_time_rate": 0.8, "resolution_rate": None, "satisfaction_avg": 4.0},
        "reception": {"days_held": 1, "bookings": 4, "attended": 3, "matters_raised": 3, "matters_resolved": 1,
                      "matters_to_tasks": 2, "tasks_done_on_time": 1},
        "orglife": {"required_meetings": 10, "required_held": 6, "required_held_rate": 0.6, "meetings_held": 7,
                    "invited": 40, "present": 34, "attendance_rate": 0.85, "makeup_assigned": 6, "makeup_done": 4,
                    "makeup_rate": 4 / 6, "minutes_due": 6, "minutes_on_time": 5, "minutes_on_time_rate": 5 / 6},
        "evaluation": {"branch_score": 4.1, "branches_rated": 1, "respondents": 12,
                       "by_branch": {"第一支部": 4.1, "第二支部": None}},
    }},
}
