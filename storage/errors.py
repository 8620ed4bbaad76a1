"""Refusals the rules raise; handlers and the CLI render them in the user's language.

`Refused` is one reason (a template name and its parameters). `InvalidFile` is the row-numbered list of
reasons an import was rejected for; nothing is written when either is raised.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from messages import render


class Refused(Exception):
    def __init__(self, template: str, **params):
        super().__init__(template)
        self.template = template
        self.params = params


@dataclass
class Problem:
    """One reason a file was refused; `row` is the spreadsheet row number as Excel shows it."""

    row: int | None
    code: str  # rendered with the template `problem_<code>`
    params: dict = field(default_factory=dict)


class InvalidFile(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def render_problems(lang: str, problems: list[Problem], limit: int = 30) -> str:
    # Each line is a rendered (already escaped) template: Markup keeps import_refused from escaping it twice.
    lines = [Markup(render(lang, f"problem_{p.code}", **p.params)) for p in problems[:limit]]
    return render(lang, "import_refused", problems=list(zip([p.row for p in problems[:limit]], lines)),
                  total=len(problems), shown=min(limit, len(problems)))


class Choose(Refused):
    """Not one answer but several candidates: the same question stands, with the candidates as buttons.

    Like any refusal nothing is written; the handler shows `template` with `keyboard`."""

    def __init__(self, template: str, keyboard: list[list[dict]], **params):
        super().__init__(template, **params)
        self.keyboard = keyboard
