"""Sample contexts for the diagnostic report's labels and findings."""
from datetime import date

SAMPLES = {
    "report_label": {"name": "summary"},
    "report_finding": {"kind": "behind", "unit": "生产部", "name": "党员教育覆盖率", "actual": "45.0%",
                       "expected": "75.0%", "gap": "30.0 个百分点", "target": "90.0%", "due_on": date(2027, 6, 30),
                       "previous": "57.0%", "change": "12.0 个百分点", "period": "2026-12"},
}
