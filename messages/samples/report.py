"""Sample contexts for the diagnostic report's labels and findings."""
from datetime import date

from markupsafe import Markup

from messages import render

SAMPLES = {
    "report_filename": {"period": "2026-12"},
    "report_caption": {"period": "2026-12", "whole": False},
    "report_task_state": {"state": "red"},
    "report_outcome": {"outcome": "resolved"},
    "report_page": None,  # below
    "report_label": {"name": "summary"},
    "report_finding": {"kind": "behind", "unit": "生产部", "name": "党员教育覆盖率", "actual": "45.0%",
                       "expected": "75.0%", "gap": "30.0 个百分点", "target": "90.0%", "due_on": date(2027, 6, 30),
                       "previous": "57.0%", "change": "12.0 个百分点", "period": "2026-12",
                       "better": "higher", "previous_period": "2026-11", "days": "12.0 天"},
}


class _Report:
    """What the page template reads of `storage.report.Report`, in miniature."""
    period, whole, lang = "2026-12", False, "zh"
    tasks = [{"no": "2026-N001", "title": "安全检查", "unit": "生产部", "owner": "王芳", "due": date(2026, 12, 10),
              "state": "red", "status": "逾期未完成"}]
    pdca = [{"id": "K7Q2M9", "category": "矛盾纠纷", "received": date(2026, 12, 1), "result": "已解决",
             "root_cause": "沟通少", "measure": "每周例会", "closed": date(2026, 12, 4), "reason": "", "task": ""}]
    reception = [{"day": date(2026, 12, 15), "leader": "赵磊", "member": "王芳", "unit": "生产部", "topic": "排班",
                  "outcome": "当场解决", "note": "当场答复", "task": ""}]

    def label(self, name: str) -> str:
        return render(self.lang, "report_label", name=name)


_PNG = "data:image/png;base64,iVBORw0KGgo="
SAMPLES["report_page"] = {
    "r": _Report(), "style": Markup("body { margin: 0 }"), "findings": ["生产部：1 项任务逾期。"],
    "summary": [{"name": "党员教育覆盖率", "scope": "所辖单位合计", "unit_target": False, "measure": "百分比",
                 "actual": "40.0%", "target": "—", "due_on": "—", "expected": "—", "gap": "—", "previous": "—",
                 "trend": "—"},
                {"name": "党员教育覆盖率", "scope": "生产部", "unit_target": True, "measure": "百分比",
                 "actual": "33.3%", "target": "90.0%", "due_on": "2027-03-31", "expected": "60.0%",
                 "gap": "26.7 个百分点", "previous": "—", "trend": "—"}],
    "indicators": [{"name": "党员教育覆盖率", "rows": [{"unit": "生产部", "actual": "33.3%", "previous": "—",
                                                   "trend": "—"}]}],
    "standings": [{"name": "党员教育覆盖率", "unit": "生产部", "actual": "33.3%", "target": "90.0%",
                   "due_on": "2027-03-31", "expected": "60.0%", "gap": "26.7 个百分点"}],
    "fills": {"red": "FFC7CE"}, "legend": [("FFC7CE", "逾期未完成")], "trend_png": _PNG, "units_png": _PNG,
    "unit_key": [(1, "生产部")],
}
