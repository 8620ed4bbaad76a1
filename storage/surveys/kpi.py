"""Survey KPI figures for the KPI board and reports: surveys closed in a period, their response rate per
department, and the satisfaction score of surveys tagged "satisfaction", from big enough groups only.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import kpi
from storage.surveys import tally as surveys_tally
from storage.context import Context
from storage.models.org import Member
from storage.surveys.models import Survey, SurveyAnswer, SurveyCompletion, SurveyQuestion, SurveyResponse


@kpi.indicator("surveys", order=30)
async def kpi_figures(session: AsyncSession, ctx: Context, *, unit_ids: set[int] | None, start: datetime,
                      end: datetime) -> dict:
    """Surveys closed in [start, end), their response rate, and the satisfaction score (1-5).

    Restricted to members and responses of `unit_ids` (None: everyone). Satisfaction is the mean of the
    rating questions of surveys tagged "satisfaction", counting only groups (a survey's responses from one
    department, or the whole survey when no departments are asked for) of at least `min_group_size`.
    """
    now = ctx.now()
    closed = (await session.execute(
        select(Survey).where(Survey.opened_at.is_not(None), Survey.closes_at >= start, Survey.closes_at < end,
                             Survey.closes_at <= now)
    )).scalars().all()
    per_unit = await participation_by_unit(session, [s.id for s in closed])
    invited = done = 0
    counted = 0
    for s in closed:
        rows = [(u, i, d) for (sid, u), (i, d) in per_unit.items() if sid == s.id
                and (unit_ids is None or u in unit_ids)]
        if rows:
            counted += 1
        invited += sum(i for _, i, _ in rows)
        done += sum(d for _, _, d in rows)
    scores = await satisfaction_scores(session, ctx, [s for s in closed if s.tag == "satisfaction"], unit_ids)
    total = sum(n for _, _, n in scores)
    satisfaction = sum(avg * n for _, avg, n in scores) / total if total else None
    return {"surveys_closed": counted, "response_rate": done / invited if invited else None,
            "satisfaction_avg": satisfaction}


async def participation_by_unit(session: AsyncSession, survey_ids: list[int]) -> dict[tuple[int, int | None],
                                                                                     tuple[int, int]]:
    """(survey id, department id) -> (asked, done)."""
    if not survey_ids:
        return {}
    rows = (await session.execute(
        select(SurveyCompletion.survey_id, Member.unit_id, SurveyCompletion.done)
        .join(Member, Member.id == SurveyCompletion.member_id)
        .where(SurveyCompletion.survey_id.in_(survey_ids)))).all()
    out: dict = defaultdict(lambda: [0, 0])
    for sid, unit_id, is_done in rows:
        out[(sid, unit_id)][0] += 1
        out[(sid, unit_id)][1] += 1 if is_done else 0
    return {k: (v[0], v[1]) for k, v in out.items()}


async def satisfaction_scores(session: AsyncSession, ctx: Context, surveys: list[Survey],
                              unit_ids: set[int] | None) -> list[tuple[int, float, int]]:
    """(survey id, mean rating, ratings counted) per survey, from groups meeting the minimum only."""
    out = []
    for s in surveys:
        await surveys_tally.tally(session, ctx, s)  # closed: every ballot counts
        rows = (await session.execute(
            select(SurveyResponse.id, SurveyResponse.unit_id, SurveyAnswer.number)
            .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .where(SurveyResponse.survey_id == s.id, SurveyQuestion.kind == "rating",
                   SurveyAnswer.number.is_not(None)))).all()
        groups: dict = defaultdict(lambda: (set(), []))
        for rid, unit_id, number in rows:
            if unit_ids is not None and unit_id not in unit_ids:
                continue
            key = unit_id if unit_ids is not None else None
            groups[key][0].add(rid)
            groups[key][1].append(number)
        values = [v for people, vals in groups.values() if len(people) >= s.min_group_size for v in vals]
        if values:
            out.append((s.id, sum(values) / len(values), len(values)))
    return out


MEASURES = kpi.measures(
    kpi.Measure("surveys.response_rate", "问卷参与率", "survey participation",
                "当月结束的问卷中，已作答人数占受邀人数的比例", "Of the members invited to the surveys closed in the "
                "month, the share who answered", "%"),
    kpi.Measure("surveys.satisfaction_avg", "职工满意度", "satisfaction",
                "标记为满意度的问卷中评分题的平均分（1–5），人数不足的分组不计",
                "Mean rating (1-5) of the surveys tagged satisfaction, from groups large enough only", "score",
                answers=True),
)
