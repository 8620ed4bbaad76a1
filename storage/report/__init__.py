"""The monthly diagnostic report (运行诊断报告): gathered once (`content`), written as a workbook (`workbook`) or
one printable HTML page (`page`), with the charts (`charts`) the /kpi board sends as a photo too."""
from storage.report.charts import trend_png, trend_points, unit_key, unit_points, units_png, y_range
from storage.report.content import Report, gather
from storage.report.lists import FILLS, task_state
from storage.report.render import board_charts, html, page_html, workbook, xlsx_bytes

__all__ = ["FILLS", "Report", "board_charts", "gather", "html", "page_html", "task_state", "trend_png", "trend_points",
           "y_range", "unit_key", "unit_points", "units_png", "workbook", "xlsx_bytes"]
