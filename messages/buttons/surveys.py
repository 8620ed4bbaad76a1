"""A survey's buttons (`svy:<survey id>:<action>`), encoded and decoded here only.

Actions: `start`, `results` (organisers), `shared` (a respondent, after the close), and per question
`a<qid>.<n>` (answer n), `t<qid>.<n>` (toggle n of a multiple choice), `d<qid>` (done choosing), `s<qid>`
(skip), `b<qid>` (back).
"""
from __future__ import annotations

import re
from typing import NamedTuple

from messages.buttons import Prefix, button

ANSWER, TOGGLE, DONE, SKIP, BACK = "a", "t", "d", "s", "b"
START, RESULTS, SHARED = "start", "results", "shared"
_ACTION = re.compile(r"^([atdsb])(\d+)(?:\.(\d+))?$")


class Press(NamedTuple):
    verb: str
    question_id: int
    value: int | None


def question(text: str, survey_id: int, verb: str, question_id: int, value: int | None = None) -> dict:
    """A button on one question: `verb` is ANSWER, TOGGLE, DONE, SKIP or BACK."""
    action = f"{verb}{question_id}" if value is None else f"{verb}{question_id}.{value}"
    return button(text, Prefix.SURVEY, survey_id, action)


def survey(text: str, survey_id: int, action: str) -> dict:
    """A button on the whole survey: START (or resume) or RESULTS."""
    return button(text, Prefix.SURVEY, survey_id, action)


def read(action: str) -> Press | None:
    """The press a question button stands for; None for anything no question button carries."""
    m = _ACTION.match(action or "")
    if m is None:
        return None
    return Press(m.group(1), int(m.group(2)), int(m.group(3)) if m.group(3) is not None else None)
