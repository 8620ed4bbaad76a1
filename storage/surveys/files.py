"""Survey questions from a secretary's `.csv`/`.xlsx`, and the built-in questionnaires.

A file has the columns kind (single, multi, rating, scale10, text), question, options (separated by `|`)
and required (yes/no, default yes), with English or Chinese headers. The whole file is checked first:
one bad row rejects it with row-numbered reasons.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from messages import render
from storage.errors import InvalidFile, Problem
from storage.tabular import CHAT, Limits, parse_bool, read_table

COLUMNS = {
    "kind": ("类型", "题型", "type"),
    "question": ("题目", "问题", "题干"),
    "options": ("选项",),
    "required": ("必答", "是否必答"),
}
REQUIRED = ("kind", "question")
KIND_WORDS = {
    "single": "single", "单选": "single", "单选题": "single",
    "multi": "multi", "multiple": "multi", "多选": "multi", "多选题": "multi",
    "rating": "rating", "评分": "rating", "打分": "rating", "评分题": "rating",
    "scale10": "scale10", "nps": "scale10", "enps": "scale10", "0-10": "scale10", "量表": "scale10",
    "推荐度": "scale10",
    "text": "text", "文本": "text", "填空": "text", "问答": "text", "开放题": "text",
}
MAX_QUESTIONS = 30
MAX_OPTIONS = 10
MAX_QUESTION_CHARS = 500
MAX_OPTION_CHARS = 60
CHOICE_KINDS = ("single", "multi")
SCALE_KINDS = ("rating", "scale10")


@dataclass
class QuestionSpec:
    """One question as written, before it is a row (JSON-friendly, so a wizard can keep it in a dialog)."""

    kind: str
    text: str
    options: list[str] = field(default_factory=list)
    required: bool = True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "QuestionSpec":
        return cls(data["kind"], data["text"], list(data.get("options") or []), bool(data.get("required", True)))


def split_options(value: str) -> list[str]:
    """Options are separated by `|` (full-width too) or new lines; commas may be part of an option."""
    return [p.strip() for p in re.split(r"[|｜\n]", value or "") if p.strip()]


def option_problems(kind: str, options: list[str]) -> list[tuple[str, dict]]:
    """What is wrong with these options for this kind: (problem code, params) pairs."""
    problems: list[tuple[str, dict]] = []
    if kind in CHOICE_KINDS:
        if len(options) < 2:
            problems.append(("survey_options_few", {}))
        if len(options) > MAX_OPTIONS:
            problems.append(("survey_options_many", {"limit": MAX_OPTIONS}))
    elif kind in SCALE_KINDS:
        if options and len(options) != 2:
            problems.append(("survey_anchors", {}))
    elif options:
        problems.append(("survey_options_unused", {}))
    seen = set()
    for option in options:
        if len(option) > MAX_OPTION_CHARS:
            problems.append(("survey_option_long", {"value": option[:20], "limit": MAX_OPTION_CHARS}))
        if option in seen:
            problems.append(("survey_option_duplicate", {"value": option}))
        seen.add(option)
    return problems


def check(data: bytes, filename: str, limits: Limits = CHAT) -> list[QuestionSpec]:
    """The questionnaire read and checked, touching no database (run it off the event loop)."""
    rows = read_table(data, filename, COLUMNS, REQUIRED, limits)
    problems: list[Problem] = []
    questions: list[QuestionSpec] = []
    for row in rows:
        n = row.number
        before = len(problems)
        kind = KIND_WORDS.get(row.text("kind").lower())
        if not row.text("kind"):
            problems.append(Problem(n, "missing", {"column": "kind"}))
        elif kind is None:
            problems.append(Problem(n, "survey_kind", {"value": row.text("kind")}))
        text = row.text("question")
        if not text:
            problems.append(Problem(n, "missing", {"column": "question"}))
        elif len(text) > MAX_QUESTION_CHARS:
            problems.append(Problem(n, "survey_question_long", {"limit": MAX_QUESTION_CHARS}))
        required = parse_bool(row.text("required")) if row.text("required") else True
        if required is None:
            problems.append(Problem(n, "bad_value", {"column": "required", "value": row.text("required")}))
        options = split_options(row.text("options"))
        if kind is not None:
            problems.extend(Problem(n, code, params) for code, params in option_problems(kind, options))
        if len(problems) == before:
            questions.append(QuestionSpec(kind, text, options, bool(required)))
    if len(rows) > MAX_QUESTIONS:
        problems.append(Problem(None, "survey_too_many", {"limit": MAX_QUESTIONS}))
    if problems:
        raise InvalidFile(problems)
    return questions


# --- built-in questionnaires ---------------------------------------------------------------------------

BUILTINS = {
    # name: (tag, [(kind, required, has options)])
    "satisfaction": ("satisfaction", [("rating", True, False), ("rating", True, False), ("rating", True, False),
                                      ("single", True, True), ("text", False, False)]),
    "enps": ("enps", [("scale10", True, False)]),
    # Which branch is rated (the options are the branches, filled in at publishing), then three ratings.
    "branch_evaluation": ("branch_evaluation", [("single", True, True), ("rating", True, False),
                                                ("rating", True, False), ("rating", True, False),
                                                ("text", False, False)]),
}


def builtin(name: str, lang: str, options: dict[int, list[str]] | None = None) -> tuple[str, str, list[QuestionSpec]]:
    """(title, tag, questions) of a built-in questionnaire in the publisher's language; `options` gives the
    choices of questions whose options come from the organisation (question number -> choices)."""
    tag, shape = BUILTINS[name]
    questions = []
    for i, (kind, required, has_options) in enumerate(shape, start=1):
        text = render(lang, "survey_builtin", key=f"{name}.q{i}")
        if options and i in options:
            choices = list(options[i])
        else:
            choices = split_options(render(lang, "survey_builtin", key=f"{name}.q{i}.options")) if has_options else []
        questions.append(QuestionSpec(kind, text, choices, required))
    return render(lang, "survey_builtin", key=f"{name}.title"), tag, questions
