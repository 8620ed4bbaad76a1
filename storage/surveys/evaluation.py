"""Evaluation of the Party branches by several parties (多方评价): the built-in survey `branch_evaluation`
and its indicator, the branch evaluation score.

Each party rates in a survey of its own, published with the built-in questionnaire to that party's audience:
`party` (the Party members), `role:representative` (employees' representatives) and `role:committee` (the
Party committee). The survey's audience says whose ratings it holds, so publishing it to any other audience is
refused (`rules.publish`). Every respondent names the branch rated (question 1: the branches, filled in when it is published)
and gives three ratings (1-5).

The score of a branch is the mean, over the parties, of each party's mean rating of it, counting a party only
when at least `min_group_size` of its respondents rated that branch (so one small group's ratings are never
shown, nor moved by one person). The floor holds in each survey on its own: a party asked twice in a month
pools only the branches each survey had enough ratings of, so a second survey with one rating of a branch
never moves the first one's figure by that one person. Only answers already counted (`survey_responses`,
written by the tick in mixed batches) are read, never a sealed ballot, and only once the closing tick has
counted the last batch (`closed_at`): until then a look and a later one could differ by a single rating of a
branch. A survey counts in the month it closes.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import kpi
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Unit
from storage.surveys.files import QuestionSpec, builtin
from storage.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

NAME = TAG = "branch_evaluation"
PARTIES = {"party": "members", "role:representative": "representatives", "role:committee": "committee"}


async def questionnaire(session: AsyncSession, name: str, lang: str) -> tuple[str, str, list[QuestionSpec]]:
    """(title, tag, questions) of any built-in questionnaire; the branch evaluation's first question lists
    the branches as they are now."""
    if name != NAME:
        return builtin(name, lang)
    branches = list((await session.execute(
        select(Unit.path).where(Unit.kind == "branch").order_by(Unit.path))).scalars())
    if not branches:
        raise Refused("survey_evaluation_no_branches")
    return builtin(name, lang, {1: branches})


async def branch_scores(session: AsyncSession, ctx: Context, *, start: datetime, end: datetime,
                        unit_ids: set[int] | None = None) -> dict[int, dict]:
    """{branch id: {"score": float | None, "parties": {party: (mean or None when too few, respondents)}}} for
    the branches in scope rated in the evaluation surveys closed in [start, end)."""
    surveys = (await session.execute(
        select(Survey).where(Survey.tag == TAG, Survey.opened_at.is_not(None), Survey.closed_at.is_not(None),
                             Survey.closes_at >= start, Survey.closes_at < end))).scalars().all()
    paths = dict((await session.execute(select(Unit.path, Unit.id).where(Unit.kind == "branch"))).all())
    # (branch id, party) -> {response id: [ratings]}; a party rated in two surveys in a month pools those of
    # each survey that had enough ratings of the branch.
    ratings: dict[tuple[int, str], dict[str, list[int]]] = {}
    too_few: dict[tuple[int, str], int] = defaultdict(int)  # ratings of surveys below the floor, not counted
    for survey in surveys:
        party = PARTIES.get(survey.audience)
        if party is None:
            continue
        rows = (await session.execute(
            select(SurveyAnswer.response_id, SurveyQuestion.position, SurveyQuestion.kind, SurveyQuestion.options,
                   SurveyAnswer.number)
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyResponse.survey_id == survey.id, SurveyAnswer.number.is_not(None)))).all()
        branch_of, given = {}, defaultdict(list)
        for response_id, position, kind, options, number in rows:
            if position == 0 and kind == "single" and 0 <= number < len(options):  # the branch (0: the first)
                branch_of[response_id] = paths.get(options[number])
            elif kind == "rating":
                given[response_id].append(number)
        this: dict[int, dict[str, list[int]]] = defaultdict(dict)  # this survey's ratings, by branch
        for response_id, branch_id in branch_of.items():
            if branch_id is None or (unit_ids is not None and branch_id not in unit_ids) or not given[response_id]:
                continue
            this[branch_id][response_id] = given[response_id]
        floor = max(survey.min_group_size, kpi.GROUP_FLOOR)
        for branch_id, by_response in this.items():
            counted = ratings.setdefault((branch_id, party), {})  # rated: "too few" when no survey had enough
            if len(by_response) >= floor:
                counted.update(by_response)
            else:
                too_few[(branch_id, party)] += len(by_response)
    out: dict[int, dict] = {}
    for (branch_id, party), by_response in ratings.items():
        people = len(by_response)
        mean = sum(sum(r) / len(r) for r in by_response.values()) / people if people else None
        out.setdefault(branch_id, {"parties": {}})["parties"][party] = (mean, people or too_few[(branch_id, party)])
    for entry in out.values():
        shown = [mean for mean, _ in entry["parties"].values() if mean is not None]
        entry["score"] = sum(shown) / len(shown) if shown else None
    return out


@kpi.indicator("evaluation", order=35)
async def kpi_figures(session: AsyncSession, ctx: Context, *, unit_ids: set[int] | None, start: datetime,
                      end: datetime) -> dict:
    """The branch evaluation score of the scope (the mean of its branches' scores), each branch's score by
    name, and how many respondents the shown scores rest on."""
    scores = await branch_scores(session, ctx, start=start, end=end, unit_ids=unit_ids)
    names = dict((await session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(scores)))).all()) \
        if scores else {}
    shown = {bid: e for bid, e in scores.items() if e["score"] is not None}
    respondents = sum(n for e in shown.values() for mean, n in e["parties"].values() if mean is not None)
    return {"branch_score": sum(e["score"] for e in shown.values()) / len(shown) if shown else None,
            "branches_rated": len(shown), "respondents": respondents,
            "by_branch": {names[bid]: (round(e["score"], 2) if e["score"] is not None else None)
                          for bid, e in sorted(scores.items(), key=lambda item: names[item[0]])}}


MEASURES = kpi.measures(
    kpi.Measure("evaluation.branch_score", "支部多方评价得分", "branch evaluation score",
                "党员、职工代表和党委三方分别评价支部（1–5 分）：每一方的平均分，只计人数达到最少人数的一方，"
                "再取各方平均；多个支部时取各支部得分的平均",
                "The branch rated 1-5 by its Party members, employees' representatives and the Party committee: "
                "each party's mean (a party counted only when enough of it answered), then the mean of the "
                "parties; for several branches, the mean of their scores", "score",
                answers=True, count="respondents"),
)
