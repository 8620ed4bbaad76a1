"""SMART targets per indicator and unit, measured against their trajectory, and the weekly early warning."""
from storage.targets.findings import Finding, for_scope, ranked
from storage.targets.files import COLUMNS, import_rows, read
from storage.targets.jobs import produce_warnings, week_of
from storage.targets.models import Target
from storage.targets.rules import (Standing, actual, corrective_task, expected, period_standings, set_target,
                                   standing, standings, targets_in)
from storage.targets.slips import Slip, margin_of, slipping
from storage.targets.views import fmt, fmt_gap, period_view, slip_view, standing_view

__all__ = ["COLUMNS", "Finding", "Slip", "Standing", "Target", "actual", "corrective_task", "expected", "fmt",
           "fmt_gap", "for_scope", "import_rows", "margin_of", "period_standings", "period_view", "produce_warnings",
           "ranked", "read", "set_target", "slip_view", "slipping", "standing", "standing_view", "standings",
           "targets_in", "week_of"]
