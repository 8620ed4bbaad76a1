"""Surveys: publishing, opening to the audience, answering one question at a time, reminders and closing.

The rules of anonymity live here. An anonymous answer is written, on submit, as a response with a random
id, the department and the date only; the answers in progress kept under the member until then are
deleted in the same transaction, and the member's completion row only turns "done". Nothing is audited
per submission (an audit row would carry the exact time). Every press is re-checked: the survey must be
open, the member in its audience and not done, and the button must belong to the current question.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import Prefix, button
from messages import render
from storage import audiences, audit, calendar, dialogs, outbox, producers
from storage.context import Context
from storage.errors import Refused
from storage.models.dialogs import Dialog
from storage.models.org import Member
from storage.models.surveys import (KINDS, Survey, SurveyAnswer, SurveyCompletion, SurveyNamedResponse,
                                    SurveyProgress, SurveyQuestion, SurveyResponse)
from storage.surveys_files import QuestionSpec, option_problems

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
    """A moment from `2026-12-10`, `2026/12/10 18:00`, `2026年12月10日`; a bare date closes at 23:59."""
    from storage.tabular import parse_datetime

    parsed = parse_datetime(value)
    if parsed is None:
        return None
    day, at = parsed
    return calendar.at_local(day, at or default, ctx)


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


# --- opening, reminders, closing (producers) ----------------------------------------------------------

def _insert(session: AsyncSession):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def _open(session: AsyncSession, ctx: Context, survey: Survey) -> int:
    """Ask the audience: a completion row for each (in audience order), one invitation each via the outbox."""
    survey.opened_at = ctx.now()
    people = await audiences.members(session, survey.audience)
    if people:
        rows = [{"survey_id": survey.id, "member_id": m.id, "done": False} for m in people]
        for i in range(0, len(rows), 500):
            await session.execute(_insert(session)(SurveyCompletion).values(rows[i:i + 500])
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
    return [[button(label, Prefix.SURVEY, survey_id, "start")]]


@producers.producer("surveys.open")
async def produce_openings(session: AsyncSession, ctx: Context) -> int:
    now = ctx.now()
    due = (await session.execute(
        select(Survey).where(Survey.opened_at.is_(None), Survey.opens_at <= now).order_by(Survey.id)
    )).scalars().all()
    written = 0
    for survey in due:
        if survey.closes_at <= now:  # the bot was down through the whole survey: nothing to ask any more
            survey.opened_at = now
            continue
        written += await _open(session, ctx, survey)
    return written


def reminder_times(survey: Survey, ctx: Context) -> list[datetime]:
    """When the reminders are due: spread between opening and the day before closing, the last on that day.

    Each at 10:00 local, at least `reminder_gap_hours` after opening and after each other, before closing.
    """
    n = survey.reminder_max
    if n <= 0:
        return []
    gap = timedelta(hours=survey.reminder_gap_hours)
    close_day = calendar.local(survey.closes_at, ctx).date()
    last = calendar.at_local(close_day - timedelta(days=survey.reminder_last_days_before), REMINDER_HOUR, ctx)
    times: list[datetime] = []
    for i in range(n):
        at = survey.opens_at + (last - survey.opens_at) * (i + 1) / n
        at = calendar.at_local(calendar.local(at, ctx).date(), REMINDER_HOUR, ctx)
        if at < survey.opens_at + gap or at >= survey.closes_at or (times and at < times[-1] + gap):
            continue
        times.append(at)
    return times


@producers.producer("surveys.reminders")
async def produce_reminders(session: AsyncSession, ctx: Context) -> int:
    """Remind the members who have not completed; one reminder per due time, none after close."""
    now = ctx.now()
    if calendar.is_quiet(now, ctx):
        return 0
    candidates = (await session.execute(
        select(Survey).where(Survey.opened_at.is_not(None), Survey.closed_at.is_(None), Survey.closes_at > now,
                             Survey.reminders_sent < Survey.reminder_max)
    )).scalars().all()
    written = 0
    for survey in candidates:
        times = reminder_times(survey, ctx)
        due = [t for t in times if t <= now]
        if len(due) <= survey.reminders_sent:
            continue
        if survey.last_reminder_at and now < survey.last_reminder_at + timedelta(hours=survey.reminder_gap_hours):
            continue
        number = survey.reminders_sent + 1
        # Missed slots (the bot was down) are not made up: one reminder now stands for them.
        survey.reminders_sent = len(due)
        survey.last_reminder_at = now
        pending = (await session.execute(
            select(Member).join(SurveyCompletion, SurveyCompletion.member_id == Member.id)
            .where(SurveyCompletion.survey_id == survey.id, SurveyCompletion.done.is_(False),
                   Member.active.is_(True), Member.chat_id.is_not(None), Member.reachable.is_(True))
        )).scalars().all()
        started = set((await session.execute(
            select(SurveyProgress.member_id).where(SurveyProgress.survey_id == survey.id))).scalars())
        texts: dict[tuple, list[dict]] = {}
        rows = []
        for m in pending:
            key = (m.language, m.id in started)
            if key not in texts:
                texts[key] = [outbox.message(
                    render(m.language, "survey_reminder", title=survey.title, number=number,
                           closes=calendar.local(survey.closes_at, ctx), started=key[1]),
                    start_keyboard(m.language, survey.id, resume=key[1]))]
            rows.append(outbox.row(ctx, key=f"survey:{survey.id}:remind{number}:{m.id}", chat_id=m.chat_id,
                                   member_id=m.id, messages=texts[key], kind="survey.reminder"))
        written += await outbox.enqueue_many(session, rows)
    return written


@producers.producer("surveys.close")
async def produce_closings(session: AsyncSession, ctx: Context) -> int:
    """Close what is due: no more answers, unsent progress deleted, the publisher told, results shared if promised."""
    now = ctx.now()
    due = (await session.execute(
        select(Survey).where(Survey.closed_at.is_(None), Survey.opened_at.is_not(None), Survey.closes_at <= now)
        .order_by(Survey.id)
    )).scalars().all()
    written = 0
    for survey in due:
        survey.closed_at = now
        await session.execute(delete(SurveyProgress).where(SurveyProgress.survey_id == survey.id))
        await _clear_text_dialogs(session, survey.id)
        audit.record(session, ctx, "survey.closed", "survey", survey.id)
        written += await _announce_close(session, ctx, survey)
    return written


async def _clear_text_dialogs(session: AsyncSession, survey_id: int) -> None:
    stale = (await session.execute(select(Dialog).where(Dialog.kind == TEXT_DIALOG))).scalars().all()
    for d in stale:
        if (d.data or {}).get("survey") == survey_id:
            await session.delete(d)


async def _announce_close(session: AsyncSession, ctx: Context, survey: Survey) -> int:
    from storage import surveys_results

    written = 0
    done, invited = await participation(session, survey.id)
    if survey.created_by is not None:
        creator = await session.get(Member, survey.created_by)
        if creator is not None:
            text = render(creator.language, "survey_closed_notice", title=survey.title, survey_id=survey.id,
                          done=done, invited=invited)
            written += await outbox.to_member(session, ctx, creator, key=f"survey:{survey.id}:closed",
                                              messages=[outbox.message(text)], kind="survey.closed")
    if survey.results_to_respondents:
        report = await surveys_results.report(session, ctx, survey)
        respondents = (await session.execute(
            select(Member).join(SurveyCompletion, SurveyCompletion.member_id == Member.id)
            .where(SurveyCompletion.survey_id == survey.id, SurveyCompletion.done.is_(True),
                   Member.active.is_(True), Member.chat_id.is_not(None), Member.reachable.is_(True))
        )).scalars().all()
        texts: dict[str, list[dict]] = {}
        rows = []
        for m in respondents:
            if m.language not in texts:
                texts[m.language] = [outbox.message(t) for t in surveys_results.render_report(
                    m.language, report, ctx, for_respondents=True)]
            rows.append(outbox.row(ctx, key=f"survey:{survey.id}:shared:{m.id}", chat_id=m.chat_id,
                                   member_id=m.id, messages=texts[m.language], kind="survey.shared"))
        written += await outbox.enqueue_many(session, rows)
    return written


async def participation(session: AsyncSession, survey_id: int) -> tuple[int, int]:
    """(done, asked) for a survey."""
    row = (await session.execute(
        select(func.count().filter(SurveyCompletion.done.is_(True)), func.count())
        .where(SurveyCompletion.survey_id == survey_id))).one()
    return int(row[0] or 0), int(row[1] or 0)


# --- what a member sees ----------------------------------------------------------------------------------

@dataclass
class ListedSurvey:
    survey: Survey
    status: str  # "new", "started", "done"


async def for_member(session: AsyncSession, ctx: Context, member: Member) -> list[ListedSurvey]:
    """Open surveys this member is asked (or belongs to the audience of), with where they stand."""
    now = ctx.now()
    open_now = (await session.execute(
        select(Survey).where(Survey.opened_at.is_not(None), Survey.closed_at.is_(None), Survey.opens_at <= now,
                             Survey.closes_at > now).order_by(Survey.closes_at, Survey.id)
    )).scalars().all()
    if not open_now:
        return []
    ids = [s.id for s in open_now]
    done = dict((await session.execute(
        select(SurveyCompletion.survey_id, SurveyCompletion.done)
        .where(SurveyCompletion.member_id == member.id, SurveyCompletion.survey_id.in_(ids)))).all())
    started = set((await session.execute(
        select(SurveyProgress.survey_id).where(SurveyProgress.member_id == member.id,
                                               SurveyProgress.survey_id.in_(ids)))).scalars())
    out = []
    for s in open_now:
        if s.id not in done and not await audiences.includes(session, s.audience, member):
            continue
        status = "done" if done.get(s.id) else ("started" if s.id in started else "new")
        out.append(ListedSurvey(s, status))
    return out


# --- answering -------------------------------------------------------------------------------------------

@dataclass
class Screen:
    """What the member should see next: a question (with their current answer) or the thank-you."""

    survey: Survey
    questions: tuple[Question, ...]
    position: int
    answers: dict = field(default_factory=dict)
    submitted: bool = False

    @property
    def question(self) -> Question | None:
        return None if self.submitted else self.questions[self.position]

    @property
    def current(self):
        q = self.question
        return None if q is None else self.answers.get(str(q.id))


ACTION = re.compile(r"^([atdsb])(\d+)(?:\.(\d+))?$")


async def _answerable(session: AsyncSession, ctx: Context, member: Member, survey_id: int) -> Survey:
    """The survey, if this member may answer it now; a clear refusal otherwise."""
    # One statement for the survey, the member's completion and progress (the latter two land in the
    # identity map, so later `session.get`s cost nothing): every press holds SQLite's write lock meanwhile.
    row = (await session.execute(
        select(Survey, SurveyCompletion, SurveyProgress)
        .outerjoin(SurveyCompletion, (SurveyCompletion.survey_id == Survey.id)
                   & (SurveyCompletion.member_id == member.id))
        .outerjoin(SurveyProgress, (SurveyProgress.survey_id == Survey.id) & (SurveyProgress.member_id == member.id))
        .where(Survey.id == survey_id))).first()
    if row is None:
        raise Refused("survey_not_found")
    survey, completion, _ = row
    if survey.closed_at is not None or ctx.now() >= survey.closes_at:
        raise Refused("survey_closed", title=survey.title)
    if survey.opened_at is None or ctx.now() < survey.opens_at:
        raise Refused("survey_not_open", title=survey.title)
    if completion is None:
        # Joined after the survey opened: asked now, if the audience takes them in.
        if not await audiences.includes(session, survey.audience, member):
            raise Refused("survey_not_for_you")
        await session.execute(_insert(session)(SurveyCompletion).values(
            survey_id=survey.id, member_id=member.id, done=False
        ).on_conflict_do_nothing(index_elements=["survey_id", "member_id"]))
    elif completion.done:
        raise Refused("survey_already_done", title=survey.title)
    return survey


async def start(session: AsyncSession, ctx: Context, member: Member, survey_id: int) -> Screen:
    """Begin, or resume where the member left off (after a restart or a pause of days)."""
    survey = await _answerable(session, ctx, member, survey_id)
    questions = await questions_of(session, survey.id)
    progress = await session.get(SurveyProgress, (survey.id, member.id))
    if progress is None:
        progress = SurveyProgress(survey_id=survey.id, member_id=member.id, position=0, answers={},
                                  updated_at=_coarse_now(ctx))
        session.add(progress)
    screen = Screen(survey, questions, min(progress.position, len(questions) - 1), dict(progress.answers))
    await _sync_text_dialog(session, ctx, member, screen, was_text=True)
    return screen


async def press(session: AsyncSession, ctx: Context, member: Member, survey_id: int, action: str) -> Screen:
    """Apply one button press (answer, toggle, done, skip, back) to the member's current question."""
    m = ACTION.match(action or "")
    if m is None:
        raise Refused("survey_button_invalid")
    verb, qid, value = m.group(1), int(m.group(2)), m.group(3)
    survey = await _answerable(session, ctx, member, survey_id)
    questions = await questions_of(session, survey.id)
    progress = await session.get(SurveyProgress, (survey.id, member.id))
    if all(q.id != qid for q in questions):
        raise Refused("survey_button_invalid")
    if progress is None or questions[min(progress.position, len(questions) - 1)].id != qid:
        raise Refused("survey_question_stale")
    q = questions[progress.position]
    answers = dict(progress.answers)
    key = str(q.id)
    n = int(value) if value is not None else None
    if verb == "b":
        if progress.position == 0:
            raise Refused("survey_button_invalid")
        return await _move(session, ctx, member, survey, questions, progress, answers, progress.position - 1)
    if verb == "s":
        if q.required:
            raise Refused("survey_required")
        answers[key] = None
        return await _move(session, ctx, member, survey, questions, progress, answers, progress.position + 1)
    if verb == "t":
        if q.kind != "multi" or n is None or not 0 <= n < len(q.options):
            raise Refused("survey_button_invalid")
        chosen = set(answers.get(key) or [])
        chosen ^= {n}
        answers[key] = sorted(chosen)
        return await _move(session, ctx, member, survey, questions, progress, answers, progress.position)
    if verb == "d":
        if q.kind != "multi":
            raise Refused("survey_button_invalid")
        if not answers.get(key):
            if q.required:
                raise Refused("survey_choose_one")
            answers[key] = None
        return await _move(session, ctx, member, survey, questions, progress, answers, progress.position + 1)
    # verb "a": one choice or one number
    valid = (q.kind == "single" and n is not None and 0 <= n < len(q.options)) or \
            (q.kind in SCALES and n in SCALES[q.kind])
    if not valid:
        raise Refused("survey_button_invalid")
    answers[key] = n
    return await _move(session, ctx, member, survey, questions, progress, answers, progress.position + 1)


async def typed(session: AsyncSession, ctx: Context, member: Member, survey_id: int, question_id: int,
                text: str | None) -> Screen:
    """A typed answer to the free-text question the member is on."""
    survey = await _answerable(session, ctx, member, survey_id)
    questions = await questions_of(session, survey.id)
    progress = await session.get(SurveyProgress, (survey.id, member.id))
    if progress is None or questions[min(progress.position, len(questions) - 1)].id != question_id:
        raise Refused("survey_question_stale")
    q = questions[progress.position]
    if q.kind != "text":
        raise Refused("survey_question_stale")
    text = (text or "").strip()
    if not text:
        raise Refused("survey_text_expected")
    if len(text) > MAX_TEXT_ANSWER:
        raise Refused("survey_text_long", limit=MAX_TEXT_ANSWER)
    answers = dict(progress.answers)
    answers[str(q.id)] = text
    return await _move(session, ctx, member, survey, questions, progress, answers, progress.position + 1)


async def _move(session, ctx, member, survey, questions, progress, answers, position) -> Screen:
    was_text = questions[progress.position].kind == "text"
    if position >= len(questions):
        # Submitting takes the completion row first: a second replica submitting the same member waits
        # there and is refused, before it has written anything.
        await _submit(session, ctx, member, survey, questions, answers)
        screen = Screen(survey, questions, len(questions) - 1, {}, submitted=True)
    else:
        progress.answers = answers
        progress.updated_at = _coarse_now(ctx)
        progress.position = position
        screen = Screen(survey, questions, position, answers)
    await _sync_text_dialog(session, ctx, member, screen, was_text)
    return screen


async def _sync_text_dialog(session, ctx, member, screen: Screen, was_text: bool) -> None:
    """Typed input goes to the survey while its current question is free text; otherwise not.

    Only a move onto or off a text question (or a fresh start) touches the dialog: most presses need no query.
    """
    q = screen.question
    if q is not None and q.kind == "text":
        await dialogs.start(session, ctx, member.id, TEXT_DIALOG, "answer", {"survey": screen.survey.id,
                                                                            "question": q.id})
        return
    if not was_text:
        return
    dialog = await dialogs.get(session, member.id)
    if dialog is not None and dialog.kind == TEXT_DIALOG:
        await dialogs.clear(session, member.id)


def _coarse_now(ctx: Context) -> datetime:
    """Progress keeps only the hour it was touched: enough to expire it, too coarse to time a submission."""
    return ctx.now().replace(minute=0, second=0, microsecond=0)


async def _submit(session, ctx, member: Member, survey: Survey, questions, answers: dict) -> None:
    for q in questions:
        if q.required and answers.get(str(q.id)) in (None, [], ""):
            raise Refused("survey_required")
    won = await session.execute(
        update(SurveyCompletion).where(SurveyCompletion.survey_id == survey.id,
                                       SurveyCompletion.member_id == member.id,
                                       SurveyCompletion.done.is_(False)).values(done=True))
    if won.rowcount != 1:
        raise Refused("survey_already_done", title=survey.title)
    response = SurveyResponse(id=secrets.token_hex(16), survey_id=survey.id, unit_id=member.unit_id,
                              submitted_on=calendar.local(ctx.now(), ctx).date())
    session.add(response)
    await session.flush()  # the answers refer to it
    for q in questions:
        value = answers.get(str(q.id))
        if value in (None, [], ""):
            continue
        if q.kind == "multi":
            session.add(SurveyAnswer(response_id=response.id, question_id=q.id, choices=list(value)))
        elif q.kind == "text":
            session.add(SurveyAnswer(response_id=response.id, question_id=q.id, text=str(value)))
        else:
            session.add(SurveyAnswer(response_id=response.id, question_id=q.id, number=int(value)))
    if not survey.anonymous:
        session.add(SurveyNamedResponse(response_id=response.id, member_id=member.id))
    await session.flush()
    await session.execute(delete(SurveyProgress).where(SurveyProgress.survey_id == survey.id,
                                                       SurveyProgress.member_id == member.id))


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
    survey = await session.get(Survey, survey_id)
    if survey is None or survey.opened_at is None:
        raise Refused("survey_not_found")
    if member.has_role("admin") or survey.created_by == member.id:
        return survey
    if member.has_role("secretary") and await session.get(SurveyCompletion, (survey.id, member.id)) is not None:
        return survey
    raise Refused("survey_results_not_yours")
