"""Answering a survey: one question at a time, progress kept under the member (sealed) until submit.

Every press is re-checked: the survey must be open, the member in its audience and not done, and the
button must belong to the current question. The answers given so far wait sealed in the member's progress
row (`storage.surveys.tally.seal_progress`), never in the clear beside the member. On submit an anonymous
questionnaire is sealed as a ballot (random id; department, date and answers inside the seal; counted by the
tick in batches, see `storage.surveys.tally`); the progress is deleted in the same transaction, and the
completion row only turns "done". Nothing is audited per submission (an audit row would carry the exact time).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from messages.buttons import surveys as survey_buttons
from storage import audiences, bulk, calendar, dialogs
from storage.surveys import tally as surveys_tally
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.surveys.models import Survey, SurveyCompletion, SurveyNamedResponse, SurveyProgress
from storage.surveys.rules import MAX_TEXT_ANSWER, SCALES, TEXT_DIALOG, Question, questions_of


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


async def _answerable(session: AsyncSession, ctx: Context, member: Member,
                      survey_id: int) -> tuple[Survey, SurveyProgress | None]:
    """The survey and the member's progress, if they may answer it now; a clear refusal otherwise."""
    # One statement for the survey, the member's completion and progress (each press holds SQLite's write
    # lock meanwhile); the progress row is handed back, since the identity map keeps it only weakly.
    row = (await session.execute(
        select(Survey, SurveyCompletion, SurveyProgress)
        .outerjoin(SurveyCompletion, (SurveyCompletion.survey_id == Survey.id)
                   & (SurveyCompletion.member_id == member.id))
        .outerjoin(SurveyProgress, (SurveyProgress.survey_id == Survey.id) & (SurveyProgress.member_id == member.id))
        .where(Survey.id == survey_id))).first()
    if row is None:
        raise Refused("survey_not_found")
    survey, completion, progress = row
    if survey.closed_at is not None or ctx.now() >= survey.closes_at:
        raise Refused("survey_closed", title=survey.title)
    if survey.opened_at is None or ctx.now() < survey.opens_at:
        raise Refused("survey_not_open", title=survey.title)
    if completion is None:
        # Joined after the survey opened: asked now, if the audience takes them in.
        if not await audiences.includes(session, survey.audience, member):
            raise Refused("survey_not_for_you")
        await session.execute(bulk.dialect_insert(session)(SurveyCompletion).values(
            survey_id=survey.id, member_id=member.id, done=False
        ).on_conflict_do_nothing(index_elements=["survey_id", "member_id"]))
    elif completion.done:
        raise Refused("survey_already_done", title=survey.title)
    return survey, progress


async def start(session: AsyncSession, ctx: Context, member: Member, survey_id: int) -> Screen:
    """Begin, or resume where the member left off (after a restart or a pause of days)."""
    survey, progress = await _answerable(session, ctx, member, survey_id)
    questions = await questions_of(session, survey.id)
    if progress is None:
        progress = SurveyProgress(survey_id=survey.id, member_id=member.id, position=0, answers={},
                                  sealed=surveys_tally.seal_progress(ctx, progress_key(survey.id, member.id),
                                                                     questions, {}),
                                  updated_at=_coarse_now(ctx))
        session.add(progress)
    screen = Screen(survey, questions, min(progress.position, len(questions) - 1), _answers_of(ctx, progress))
    await _sync_text_dialog(session, ctx, member, screen, was_text=True)
    return screen


async def press(session: AsyncSession, ctx: Context, member: Member, survey_id: int, action: str) -> Screen:
    """Apply one button press (answer, toggle, done, skip, back) to the member's current question."""
    pressed = survey_buttons.read(action)
    if pressed is None:
        raise Refused("survey_button_invalid")
    verb, qid, n = pressed
    survey, progress = await _answerable(session, ctx, member, survey_id)
    questions = await questions_of(session, survey.id)
    if all(q.id != qid for q in questions):
        raise Refused("survey_button_invalid")
    if progress is None or questions[min(progress.position, len(questions) - 1)].id != qid:
        raise Refused("survey_question_stale")
    q = questions[progress.position]
    answers = _answers_of(ctx, progress)
    key = str(q.id)
    if verb == survey_buttons.BACK:
        if progress.position == 0:
            raise Refused("survey_button_invalid")
        return await _move(session, ctx, member, survey, questions, progress, answers, progress.position - 1)
    if verb == survey_buttons.SKIP:
        if q.required:
            raise Refused("survey_required")
        answers[key] = None
        return await _move(session, ctx, member, survey, questions, progress, answers, progress.position + 1)
    if verb == survey_buttons.TOGGLE:
        if q.kind != "multi" or n is None or not 0 <= n < len(q.options):
            raise Refused("survey_button_invalid")
        chosen = set(answers.get(key) or [])
        chosen ^= {n}
        answers[key] = sorted(chosen)
        return await _move(session, ctx, member, survey, questions, progress, answers, progress.position)
    if verb == survey_buttons.DONE:
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
    survey, progress = await _answerable(session, ctx, member, survey_id)
    questions = await questions_of(session, survey.id)
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
    answers = _answers_of(ctx, progress)
    answers[str(q.id)] = text
    return await _move(session, ctx, member, survey, questions, progress, answers, progress.position + 1)


async def replied(session: AsyncSession, ctx: Context, member: Member, survey_id: int, question_id: int,
                  text: str | None) -> Screen:
    """A reply (Telegram's) to a question's message: the answer to a free-text question, or the option its
    text names (the label, or the number shown on a rating button) of a one-choice question; the same checks
    as the question's buttons (open, theirs, the current question)."""
    await _answerable(session, ctx, member, survey_id)
    q = next((q for q in await questions_of(session, survey_id) if q.id == question_id), None)
    if q is None:
        raise Refused("survey_button_invalid")
    if q.kind == "text":
        return await typed(session, ctx, member, survey_id, question_id, text)
    n = choice_named(q, text or "")
    if n is None:
        raise Refused("survey_reply_choose", kind=q.kind, options=list(q.options))
    return await press(session, ctx, member, survey_id, f"{survey_buttons.ANSWER}{q.id}.{n}")


def choice_named(q: Question, text: str) -> int | None:
    """The value a typed reply names on a one-choice or scale question, or None (a multiple choice is
    answered with its buttons: a reply cannot say which boxes to tick)."""
    text = text.strip()
    if q.kind == "single":
        labels = [label.strip().casefold() for label in q.options]
        if text.casefold() in labels:
            return labels.index(text.casefold())
        return None
    if q.kind in SCALES and text.isascii() and text.isdigit() and int(text) in SCALES[q.kind]:
        return int(text)
    return None


async def _move(session, ctx, member, survey, questions, progress, answers, position) -> Screen:
    was_text = questions[progress.position].kind == "text"
    if position >= len(questions):
        # Submitting takes the completion row first: a second replica submitting the same member waits
        # there and is refused, before it has written anything.
        await _submit(session, ctx, member, survey, questions, answers)
        screen = Screen(survey, questions, len(questions) - 1, {}, submitted=True)
    else:
        progress.answers = {}
        progress.sealed = surveys_tally.seal_progress(ctx, progress_key(survey.id, member.id), questions, answers)
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


def progress_key(survey_id: int, member_id: int) -> bytes:
    """Binds a progress seal to its row: sealed answers cannot be moved to another member or survey."""
    return f"{survey_id}:{member_id}".encode()


def _answers_of(ctx: Context, progress: SurveyProgress) -> dict:
    if progress.sealed:
        return surveys_tally.open_progress(ctx, progress_key(progress.survey_id, progress.member_id),
                                           progress.sealed)
    return dict(progress.answers or {})  # a row kept from before progress was sealed


def _coarse_now(ctx: Context) -> datetime:
    """Progress keeps only the hour it was touched: enough to expire it, too coarse to time a submission."""
    return ctx.now().replace(minute=0, second=0, microsecond=0)


async def _response_unit(session: AsyncSession, survey: Survey, member: Member) -> int | None:
    """The department a response is filed under, only when the survey asked at least `min_group_size` of it.

    A department too small to be shown is never shown, and its id on a response would point at a handful
    of people in the raw tables; such responses carry no department.
    """
    if member.unit_id is None:
        return None
    asked = (await session.execute(
        select(func.count()).select_from(SurveyCompletion).join(Member, Member.id == SurveyCompletion.member_id)
        .where(SurveyCompletion.survey_id == survey.id, Member.unit_id == member.unit_id))).scalar_one()
    return member.unit_id if asked >= survey.min_group_size else None


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
    unit_id = await _response_unit(session, survey, member)
    today = calendar.local(ctx.now(), ctx).date()
    kept = {str(q.id): answers.get(str(q.id)) for q in questions if answers.get(str(q.id)) not in (None, [], "")}
    if survey.anonymous:
        await surveys_tally.seal(session, ctx, survey, questions, unit_id, today, kept)
    else:
        response_id = await surveys_tally.write_response(session, survey.id, unit_id, today, questions, kept)
        session.add(SurveyNamedResponse(response_id=response_id, member_id=member.id))
        await session.flush()
    await session.execute(delete(SurveyProgress).where(SurveyProgress.survey_id == survey.id,
                                                       SurveyProgress.member_id == member.id))


