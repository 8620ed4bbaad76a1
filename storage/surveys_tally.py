"""Sealed ballots become counted responses in batches, never one by one.

Submitting an anonymous survey marks the member done and seals their answers as a ballot in the same
transaction (the two must not be separable: a member answers once). On PostgreSQL every row remembers the
transaction that wrote it (`xmin`), and rows lie on disk in the order they were written; a response written
by the submitting transaction would name its author to anyone who can read the database. So responses are
written here instead, for at least `min_group_size` ballots at a time, in random order and with fresh ids,
in one transaction: a response shares its transaction with a batch, not with a person. Batches also keep
results safe from comparison: two looks at the results differ by a whole batch or not at all. Fewer than
`min_group_size` left at close stay sealed (and are reported as not counted) if results were counted
before. Named surveys have nothing to hide and are written at once (`write_response`).
"""
from __future__ import annotations

import random
import secrets
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.context import Context
from storage.models.surveys import Survey, SurveyAnswer, SurveyBallot, SurveyResponse
from storage.surveys import Question, questions_of

_shuffle = random.SystemRandom().shuffle


async def write_response(session: AsyncSession, survey_id: int, unit_id: int | None, submitted_on: date,
                         questions: tuple[Question, ...], answers: dict) -> str:
    """A response and its answers (`answers` maps question id, as text, to value); returns the new id."""
    response = SurveyResponse(id=secrets.token_hex(16), survey_id=survey_id, unit_id=unit_id,
                              submitted_on=submitted_on)
    session.add(response)
    await session.flush()  # the answers refer to it
    session.add_all(_answer_rows(response.id, questions, answers))
    return response.id


def _answer_rows(response_id: str, questions: tuple[Question, ...], answers: dict) -> list[SurveyAnswer]:
    rows = []
    for q in questions:
        value = answers.get(str(q.id))
        if value in (None, [], ""):
            continue
        if q.kind == "multi":
            rows.append(SurveyAnswer(response_id=response_id, question_id=q.id, choices=list(value)))
        elif q.kind == "text":
            rows.append(SurveyAnswer(response_id=response_id, question_id=q.id, text=str(value)))
        else:
            rows.append(SurveyAnswer(response_id=response_id, question_id=q.id, number=int(value)))
    return rows


async def seal(session: AsyncSession, survey: Survey, unit_id: int | None, submitted_on: date,
               answers: dict) -> None:
    """Keep an anonymous submission apart until it can be counted with others."""
    session.add(SurveyBallot(id=secrets.token_hex(16), survey_id=survey.id, unit_id=unit_id,
                             submitted_on=submitted_on, answers=answers))
    await session.flush()


async def sealed(session: AsyncSession, survey_id: int) -> int:
    """How many submissions wait to be counted."""
    return (await session.execute(
        select(func.count()).select_from(SurveyBallot).where(SurveyBallot.survey_id == survey_id))).scalar_one()


async def _counted(session: AsyncSession, survey_id: int) -> bool:
    return (await session.execute(
        select(SurveyResponse.id).where(SurveyResponse.survey_id == survey_id).limit(1))).first() is not None


async def tally(session: AsyncSession, ctx: Context, survey: Survey) -> int:
    """Count the sealed ballots once at least `min_group_size` have gathered, or the last few at close when
    nothing was counted before.

    The survey's row is locked first, so two replicas (or a reader and the closing tick) never count the
    same ballots twice; on SQLite write transactions are serialised anyway.
    """
    await session.execute(select(Survey.id).where(Survey.id == survey.id).with_for_update())
    ballots = list((await session.execute(
        select(SurveyBallot).where(SurveyBallot.survey_id == survey.id))).scalars().all())
    closed = survey.closed_at is not None or ctx.now() >= survey.closes_at
    if not ballots:
        return 0
    if len(ballots) < survey.min_group_size:
        # Too few for a batch. At close they would make one, unless results were counted (and could have
        # been read) before: then these few would be the difference between two looks, so they stay sealed.
        if not closed or await _counted(session, survey.id):
            return 0
    questions = await questions_of(session, survey.id)
    _shuffle(ballots)
    responses = [SurveyResponse(id=secrets.token_hex(16), survey_id=survey.id, unit_id=b.unit_id,
                                submitted_on=b.submitted_on) for b in ballots]
    session.add_all(responses)
    await session.flush()  # the answers refer to them
    session.add_all([a for r, b in zip(responses, ballots) for a in _answer_rows(r.id, questions, b.answers or {})])
    await session.execute(delete(SurveyBallot).where(SurveyBallot.id.in_([b.id for b in ballots])))
    await session.flush()
    return len(ballots)
