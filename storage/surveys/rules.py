"""Surveys: publishing, opening to the audience, and who may read the results.

A survey's questions never change after publishing. Opening writes a completion row for each member of
the audience (only "done" is ever said about them) and one invitation each through the outbox. Answering
is in `storage.surveys.answering`, opening on time, reminders and closing in `storage.surveys.jobs`;
their public names are importable from here too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.buttons import ID_MAX
from messages.buttons import surveys as survey_buttons
from messages import render
from storage import audiences, audit, bulk, calendar, outbox
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.surveys.models import KINDS, Survey, SurveyCompletion, SurveyQuestion
from storage.surveys import evaluation
from storage.surveys.files import QuestionSpec, option_problems

DEFAULT_MIN_GROUP = 5
MIN_GROUP_FLOOR = 3
DEFAULT_OPEN_DAYS = 7
TEXT_DIALOG = "survey_text"
MAX_TEXT_ANSWER = 2000
REMINDER_HOUR = time(10, 0)
SCALES = {"rating": range(1, 6), "scale10": range(0, 11)}


# --- publishing ------------------------------------------------------------------------------------------

async def publish(session: AsyncSession, ctx: Context, *, title: str, audience: str, questions: list[QuestionSpec],
                  closes_at: datetime | None = None, opens_at: datetime | None = None, intro: str = "",
                  anonymous: bool = True, min_group_size: int = DEFAULT_MIN_GROUP, tag: str | None = None,
                  results_to_respondents: bool = False, created_by: int | None = None, reminders: int = 2,
                  reminder_gap_hours: int = 24, last_reminder_days_before: int = 1) -> Survey:
    """Create a survey; when it opens now, its invitations are queued in the same transaction.

    Reminders: at most `reminders`, at least `reminder_gap_hours` apart, the last one
    `last_reminder_days_before` days before the closing day.
    """
    now = ctx.now()
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise Refused("survey_title_invalid")
    if min_group_size < MIN_GROUP_FLOOR:
        raise Refused("survey_min_group_low", floor=MIN_GROUP_FLOOR)
    if not questions:
        raise Refused("survey_no_questions")
    for q in questions:
        if q.kind not in KINDS or not q.text.strip() \
                or option_problems(q.kind, q.options):
            raise Refused("survey_question_invalid", text=q.text[:40])
    if not 0 <= reminders <= 10 or reminder_gap_hours < 1 or last_reminder_days_before < 0:
        raise Refused("survey_reminders_invalid")
    normalised = await audiences.validate(session, audience)
    if tag == evaluation.TAG and normalised not in evaluation.PARTIES:  # whose ratings they are is the audience
        raise Refused("survey_evaluation_audience")
    opens_at = opens_at or now
    closes_at = closes_at or default_close(ctx, opens_at)
    if closes_at <= max(now, opens_at):
        raise Refused("survey_closes_past", closes=calendar.local(closes_at, ctx))
    survey = Survey(title=title, intro=(intro or "").strip(), audience=normalised, opens_at=opens_at,
                    closes_at=closes_at, anonymous=anonymous, min_group_size=min_group_size, tag=tag or None,
                    results_to_respondents=results_to_respondents, reminder_max=reminders,
                    reminder_gap_hours=reminder_gap_hours, reminder_last_days_before=last_reminder_days_before,
                    reminders_sent=0, created_by=created_by, created_at=now)
    session.add(survey)
    await session.flush()
    session.add_all(SurveyQuestion(survey_id=survey.id, position=i, kind=q.kind, text=q.text.strip(),
                                   options=list(q.options), required=q.required)
                    for i, q in enumerate(questions))
    await session.flush()
    audit.record(session, ctx, "survey.published", "survey", survey.id, actor_id=created_by,
                 audience=normalised, questions=len(questions), anonymous=anonymous)
    if opens_at <= now:
        await _open(session, ctx, survey)
    return survey


def default_close(ctx: Context, opens_at: datetime) -> datetime:
    """A week after opening, at the end of that local day."""
    day = calendar.local(opens_at, ctx).date() + timedelta(days=DEFAULT_OPEN_DAYS)
    return calendar.at_local(day, time(23, 59), ctx)


def parse_close(ctx: Context, value, default: time = time(23, 59)) -> datetime | None:
    """A moment from `2026-12-10`, `2026/12/10 18:00`, `2026年12月10日` (a bare date closes at 23:59), or ISO 8601
    with an offset."""
    return calendar.parse_moment(value, ctx, default)


async def get(session: AsyncSession, survey_id: int) -> Survey | None:
    return await session.get(Survey, survey_id)


@dataclass(frozen=True)
class Question:
    """A published question. Questions never change after publishing, so they are cached per survey."""

    id: int
    position: int
    kind: str
    text: str
    options: tuple[str, ...]
    required: bool


_QUESTIONS: dict[tuple[str, int], tuple[Question, ...]] = {}
_QUESTIONS_KEPT = 256


async def questions_of(session: AsyncSession, survey_id: int) -> tuple[Question, ...]:
    """The survey's questions in order (one query per survey and process: every press needs them)."""
    key = (str(session.get_bind().url), survey_id)  # per database: tests run many in one process
    cached = _QUESTIONS.get(key)
    if cached is not None:
        return cached
    rows = (await session.execute(
        select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id).order_by(SurveyQuestion.position)
    )).scalars().all()
    questions = tuple(Question(q.id, q.position, q.kind, q.text, tuple(q.options or ()), q.required) for q in rows)
    if questions:
        if len(_QUESTIONS) >= _QUESTIONS_KEPT:
            _QUESTIONS.pop(next(iter(_QUESTIONS)))
        _QUESTIONS[key] = questions
    return questions


def is_open(survey: Survey, ctx: Context) -> bool:
    now = ctx.now()
    return survey.opened_at is not None and survey.closed_at is None and survey.opens_at <= now < survey.closes_at


# --- opening ---------------------------------------------------------------------------------------

async def _open(session: AsyncSession, ctx: Context, survey: Survey) -> int:
    """Ask the audience: a completion row for each (in audience order), one invitation each via the outbox."""
    survey.opened_at = ctx.now()
    people = await audiences.members(session, survey.audience)
    if people:
        rows = [{"survey_id": survey.id, "member_id": m.id, "done": False} for m in people]
        for i in range(0, len(rows), 500):
            await session.execute(bulk.dialect_insert(session)(SurveyCompletion).values(rows[i:i + 500])
                                  .on_conflict_do_nothing(index_elements=["survey_id", "member_id"]))
    count = await questions_count(session, survey.id)
    when = calendar.after_quiet(ctx.now(), ctx)
    texts: dict[str, list[dict]] = {}
    out = []
    for m in people:
        if m.chat_id is None or not m.reachable:
            continue
        if m.language not in texts:
            texts[m.language] = [outbox.message(invitation_text(m.language, survey, count, ctx),
                                                start_keyboard(m.language, survey.id))]
        out.append(outbox.row(ctx, key=f"survey:{survey.id}:invite:{m.id}", chat_id=m.chat_id, member_id=m.id,
                              messages=texts[m.language], kind="survey.invite", not_before=when))
    return await outbox.enqueue_many(session, out)


async def questions_count(session: AsyncSession, survey_id: int) -> int:
    return (await session.execute(
        select(func.count(SurveyQuestion.id)).where(SurveyQuestion.survey_id == survey_id))).scalar_one()


def invitation_text(lang: str, survey: Survey, count: int, ctx: Context) -> str:
    return render(lang, "survey_invitation", title=survey.title, intro=survey.intro, count=count,
                  closes=calendar.local(survey.closes_at, ctx), anonymous=survey.anonymous,
                  min_group=survey.min_group_size)


def start_keyboard(lang: str, survey_id: int, resume: bool = False) -> list[list[dict]]:
    label = render(lang, "survey_button", name="resume" if resume else "start")
    return [[survey_buttons.survey(label, survey_id, survey_buttons.START)]]


async def participation(session: AsyncSession, survey_id: int) -> tuple[int, int]:
    """(done, asked) for a survey."""
    row = (await session.execute(
        select(func.count().filter(SurveyCompletion.done.is_(True)), func.count())
        .where(SurveyCompletion.survey_id == survey_id))).one()
    return int(row[0] or 0), int(row[1] or 0)


# --- who may read results -----------------------------------------------------------------------------

async def visible_to(session: AsyncSession, ctx: Context, member: Member, limit: int = 20) -> list[Survey]:
    """Surveys whose results this member may read: admins all; secretaries those they published or were asked."""
    stmt = select(Survey).where(Survey.opened_at.is_not(None)).order_by(Survey.opens_at.desc(), Survey.id.desc())
    if not member.has_role("admin"):
        if not member.has_role("secretary"):
            return []
        asked = select(SurveyCompletion.survey_id).where(SurveyCompletion.member_id == member.id)
        stmt = stmt.where((Survey.created_by == member.id) | Survey.id.in_(asked))
    return list((await session.execute(stmt.limit(limit))).scalars().all())


async def readable(session: AsyncSession, ctx: Context, member: Member, survey_id: int) -> Survey:
    """The survey whose results `member` may read (`/results N` types the id: past any id, none is found)."""
    survey = await session.get(Survey, survey_id) if 0 < survey_id <= ID_MAX else None
    if survey is None or survey.opened_at is None:
        raise Refused("survey_not_found")
    if member.has_role("admin") or survey.created_by == member.id:
        return survey
    if member.has_role("secretary") and await session.get(SurveyCompletion, (survey.id, member.id)) is not None:
        return survey
    raise Refused("survey_results_not_yours")

