"""Organisational life (三会一课, 主题党日): the one face handlers, the CLI and tests use.

Inside: `models` (tables), `rules` (kinds and rhythm, planning and invitations, answers, check-in,
corrections, the year at a glance), `when` (a meeting's time as typed), `responses` (answers as the member and the
host see them before the start), `wizard` (/newmeeting), `jobs` (reminders, the rhythm watch),
`minutes` (the minutes and their reminders), `correction` (the host's attendance corrections), `makeup`
(make-up study, 补学, for those who missed a meeting), `kpi` (figures), `files` (the ledger).
"""
from __future__ import annotations

from storage.orglife.correction import STATUSES, correct, roll, status_of
from storage.orglife.files import import_plan, ledger, read_plan
from storage.orglife.jobs import reminders, rhythm
from storage.orglife.kpi import kpi_figures
from storage.orglife.makeup import makeup_days, made_up, missed_ids, set_makeup_days
from storage.orglife.minutes import may_send_minutes, minutes_days, record_minutes, set_minutes_days
from storage.orglife.models import ATTEND, LEAVE, Attendance, Invitation, Meeting, OrglifeRule
from storage.orglife.responses import card_of, replies
from storage.orglife.rules import (KINDS, Plan, Rule, ask_leave, attend, branch_named, checkin_button, checkin_code,
                                   configure, current_code, host_name, invitation_keyboard, may_ask_leave, open_checkin,
                                   own_branch, period_of, plan, all_rules, show_code, tally, view, year_branch,
                                   year_branches, year_view)
from storage.orglife.wizard import KIND, answer, begin, finish

__all__ = [
    "ATTEND", "Attendance", "Invitation", "KIND", "KINDS", "LEAVE", "Meeting", "OrglifeRule", "Plan", "Rule",
    "answer", "ask_leave", "attend", "begin", "checkin_button", "checkin_code", "configure", "correct",
    "current_code", "finish", "host_name", "invitation_keyboard", "kpi_figures", "ledger", "may_ask_leave",
    "open_checkin", "own_branch", "period_of", "plan", "reminders", "rhythm", "all_rules", "show_code", "tally", "view",
    "year_view", "import_plan", "read_plan", "may_send_minutes", "minutes_days", "record_minutes", "set_minutes_days",
    "STATUSES", "branch_named", "makeup_days", "made_up", "missed_ids", "roll", "set_makeup_days", "status_of",
    "year_branch", "year_branches", "card_of", "replies",
]
