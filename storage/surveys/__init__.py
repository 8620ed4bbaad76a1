"""Surveys: the one face handlers, the CLI, other features and tests use.

Inside: `models` (tables), `rules` (publishing, opening to the audience, who may read the results),
`answering` (one question at a time), `tally` (sealed ballots counted in mixed batches), `results` (the
report, charts, the workbook), `files` (question sheets and the built-in questionnaires), `wizard`
(/newsurvey), `jobs` (opening on time, reminders, closing), `shared` (results for respondents after
the close), `kpi` (figures), `evaluation` (the branches rated by several parties, and its indicator). Buttons: `messages.buttons.surveys`.
"""
from __future__ import annotations

from storage.surveys.answering import ListedSurvey, Screen, for_member, press, replied, start, typed
from storage.surveys.evaluation import PARTIES as EVALUATION_PARTIES
from storage.surveys.evaluation import branch_scores, questionnaire
from storage.surveys.files import BUILTINS, QuestionSpec, builtin, check
from storage.surveys.jobs import produce_closings, produce_openings, produce_reminders, reminder_times
from storage.surveys.kpi import kpi_figures
from storage.surveys.models import (Survey, SurveyAnswer, SurveyBallot, SurveyCompletion, SurveyProgress,
                                    SurveyQuestion, SurveyResponse)
from storage.surveys.results import charts, export_xlsx, render_report, report
from storage.surveys.shared import announce, for_respondent, live
from storage.surveys.rules import (MIN_GROUP_FLOOR, TEXT_DIALOG, parse_close, participation, publish, readable,
                                   visible_to)
from storage.surveys.tally import count_batches, sealed
from storage.surveys.wizard import (CLOSE_CHOICES, GROUP_SIZES, KIND, WizardScreen, begin_file, begin_poll,
                                    wizard_pressed, wizard_typed)

__all__ = [
    "announce", "for_respondent",
    "BUILTINS", "CLOSE_CHOICES", "EVALUATION_PARTIES", "branch_scores", "questionnaire", "GROUP_SIZES", "KIND", "ListedSurvey", "MIN_GROUP_FLOOR", "QuestionSpec",
    "Screen", "Survey", "SurveyAnswer", "SurveyBallot", "SurveyCompletion", "SurveyProgress", "SurveyQuestion",
    "SurveyResponse", "TEXT_DIALOG", "WizardScreen", "begin_file", "begin_poll", "builtin", "charts", "check",
    "count_batches", "export_xlsx", "for_member", "kpi_figures", "parse_close", "participation", "press",
    "produce_closings", "produce_openings", "produce_reminders", "publish", "readable", "reminder_times",
    "live", "render_report", "replied",
    "report", "sealed", "start", "typed", "visible_to", "wizard_pressed", "wizard_typed",
]
