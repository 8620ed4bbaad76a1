"""Sealed ballots become counted responses in batches, never one by one.

Submitting an anonymous survey marks the member done and seals their answers as a ballot in the same
transaction (the two must not be separable: a member answers once). On PostgreSQL every row remembers the
transaction that wrote it (`xmin`), and rows lie on disk in the order they were written; an answer in the
clear written by the submitting transaction would name its author to anyone who can read the database. So
a ballot holds only ciphertext (AES-GCM from TONGXIN_SECRET, padded to one length per survey, so not even
the length of a text answer shows), and the responses are written by the tick (`count_batches`), for at
least `min_group_size` ballots at a time, in random order and with fresh ids, in one transaction: a response
shares its transaction with a batch, not with a person. Batches also keep results safe from comparison: two
looks at the results differ by a whole batch or not at all. Fewer than `min_group_size` left at close stay
sealed (and are reported as not counted) if results were counted before. Named surveys have nothing to hide
and are written at once (`write_response`). The answers of a member still answering are sealed the same way.
"""
from __future__ import annotations

import logging
import random
import secrets
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import producers, sealing
from storage.context import Context
from storage.surveys.models import Survey, SurveyAnswer, SurveyBallot, SurveyResponse
from storage.surveys.rules import MAX_TEXT_ANSWER, Question, questions_of

log = logging.getLogger(__name__)
_shuffle = random.SystemRandom().shuffle
BALLOT, PROGRESS = b"survey-ballot", b"survey-progress"
# What the tick vacuums after counting: the tables whose deleted rows held sealed answers.
SEALED_TABLES = ("survey_ballots", "survey_progress")


def sealed_size(questions: tuple[Question, ...]) -> int:
    """The JSON length every sealed set of answers of this survey is padded to: the longest one possible
    (a text answer of the most bytes a character takes), plus room for the department and date."""
    size = 64
    for q in questions:
        size += len(str(q.id)) + 8
        if q.kind == "text":
            size += 4 * MAX_TEXT_ANSWER + 2
        elif q.kind == "multi":
            size += 4 * len(q.options) + 2
        else:
            size += 4
    return size


def seal_progress(ctx: Context, key: bytes, questions: tuple[Question, ...], answers: dict) -> bytes:
    return sealing.seal(ctx.secret, PROGRESS, answers, key, sealed_size(questions))


def open_progress(ctx: Context, key: bytes, blob: bytes) -> dict:
    """The answers so far; empty when the secret changed (the member starts the questionnaire again)."""
    return sealing.unseal(ctx.secret, PROGRESS, blob, key) or {}


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


async def seal(session: AsyncSession, ctx: Context, survey: Survey, questions: tuple[Question, ...],
               unit_id: int | None, submitted_on: date, answers: dict) -> None:
    """Keep an anonymous submission apart, sealed, until it can be counted with others."""
    content = {"u": unit_id, "d": submitted_on.isoformat(), "a": answers}
    session.add(SurveyBallot(id=secrets.token_hex(16), survey_id=survey.id,
                             sealed=sealing.seal(ctx.secret, BALLOT, content, str(survey.id).encode(),
                                                 sealed_size(questions))))
    await session.flush()


def _opened(ctx: Context, ballot: SurveyBallot) -> tuple[int | None, date, dict] | None:
    """Department, date and answers of a ballot; None when it cannot be opened with this secret."""
    if ballot.sealed is None:  # kept from before ballots were sealed
        return ballot.unit_id, ballot.submitted_on, ballot.answers or {}
    content = sealing.unseal(ctx.secret, BALLOT, ballot.sealed, str(ballot.survey_id).encode())
    if content is None:
        return None
    return content.get("u"), date.fromisoformat(content["d"]), content.get("a") or {}


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
    opened = [(b, _opened(ctx, b)) for b in ballots]
    counted = [content for _, content in opened if content is not None]
    if len(opened) != len(counted):
        # Sealed under another secret: they can never be read, and would hold every later batch back.
        log.warning("survey %s: %d ballots sealed under another secret were dropped", survey.id,
                    len(opened) - len(counted))
    responses = [SurveyResponse(id=secrets.token_hex(16), survey_id=survey.id, unit_id=unit_id,
                                submitted_on=day) for unit_id, day, _ in counted]
    session.add_all(responses)
    await session.flush()  # the answers refer to them
    session.add_all([a for r, (_, _, answers) in zip(responses, counted)
                     for a in _answer_rows(r.id, questions, answers)])
    await session.execute(delete(SurveyBallot).where(SurveyBallot.id.in_([b.id for b in ballots])))
    await session.flush()
    return len(counted)


@producers.producer("surveys.count_batches", vacuum=SEALED_TABLES)
async def count_batches(session: AsyncSession, ctx: Context) -> int:
    """Each tick: every survey with a batch of sealed ballots waiting (or closed with a last few) is counted,
    so answers in the clear appear only in mixed batches, written by the tick, never by a respondent."""
    waiting = (await session.execute(
        select(SurveyBallot.survey_id, func.count()).group_by(SurveyBallot.survey_id))).all()
    counted = 0
    for survey_id, count in waiting:
        survey = await session.get(Survey, survey_id)
        closed = survey.closed_at is not None or ctx.now() >= survey.closes_at
        if count >= survey.min_group_size or closed:
            counted += await tally(session, ctx, survey)
    return counted
