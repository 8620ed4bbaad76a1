"""Micro-lessons (微党课): the one face handlers, the CLI, other features and tests use.

Inside: `models` (tables), `rules` (publishing, pushing to the audience, learned, reminders), `assigned` (a
lesson for named members: make-up study), `framing` (the line before an assigned lesson and the files after
it, said by the feature that assigned it), `markdown` (a lesson's text as Telegram HTML, split to fit), `quiz`
(one question at a time), `points` (the daily capped score), `wizard` (/newlesson), `kpi` (figures),
`board` (the branch's points board), `nudging` (who has not studied, remind them all).
"""
from __future__ import annotations

from storage.lessons.assigned import add_members, assign, remove_member
from storage.lessons.framing import framer
from storage.lessons.board import board_named, board_standing, set_board_named
from storage.lessons.kpi import Figures, kpi_figures, lesson_breakdown, lesson_figures, period_breakdown
from storage.lessons.markdown import decode, from_entities, parse, split_html, tg_len, to_html
from storage.lessons.models import Lesson, LessonAssignment, LessonPoints, QuizAttempt
from storage.lessons.models import LessonBoardName, LessonNudge
from storage.lessons.nudging import Unlearned, coverage_keyboard, remind_unlearned, unlearned, unlearned_keyboard
from storage.lessons.points import DAILY_CAP, award, totals
from storage.lessons.quiz import QuestionView, Result, answer, retry, start_quiz
from storage.lessons.rules import (audience_size, create, default_min_read, keyboard, mark_learned, open_lesson,
                                   overview, parse_due, parse_when, publish, publish_due, push_messages, remind)
from storage.lessons.wizard import (AUDIENCE, DUE, DUE_CHOICES, KIND, TEXT, TIME, Preview, begin_new,
                                    check_upload, choose_audience, choose_due, choose_time, current, got_text,
                                    publish_new, time_choices)

__all__ = [
    "AUDIENCE", "DAILY_CAP", "DUE", "DUE_CHOICES", "Figures", "KIND", "Lesson", "LessonAssignment", "LessonPoints",
    "Preview", "QuestionView", "QuizAttempt", "Result", "TEXT", "TIME", "add_members", "answer", "assign",
    "audience_size", "award", "framer", "remove_member",
    "LessonBoardName", "board_named", "board_standing", "set_board_named",
    "begin_new", "check_upload", "choose_audience", "choose_due", "choose_time", "create", "current", "decode",
    "default_min_read", "from_entities", "got_text", "keyboard", "kpi_figures", "lesson_breakdown",
    "lesson_figures", "mark_learned", "open_lesson", "overview", "parse", "parse_due", "parse_when",
    "period_breakdown", "publish", "publish_due", "publish_new", "push_messages", "remind", "retry",
    "split_html", "start_quiz", "tg_len", "time_choices", "to_html", "totals",
    # who has not studied, remind them all
    "LessonNudge", "Unlearned", "coverage_keyboard", "remind_unlearned", "unlearned", "unlearned_keyboard",
]
