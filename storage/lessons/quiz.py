"""The lesson quiz: one question at a time, the right option and the explanation after each answer, the
score at the end; passing marks the lesson learned, and the questions still wrong can be practised.

The first complete attempt is the one that counts: its score is the quiz score everywhere (/lessons, the
KPI), it alone decides the pass mark, and it alone earns quiz points. Practice rounds ("practise the wrong
ones") come after the right answers were shown, so they teach and say so: they change neither the score,
nor the pass, nor the points. An answer is accepted once: a double press, an old question's button or
another member's attempt is refused.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.lessons import rules as lessons
from storage.lessons import points as lessons_points
from storage.context import Context
from storage.errors import Refused
from storage.lessons.models import Lesson, LessonAssignment, QuizAttempt
from storage.models.org import Member


@dataclass
class QuestionView:
    attempt_id: int
    position: int
    number: int
    total: int
    lesson_title: str
    text: str
    options: list[str]
    practice: bool = False  # a round after the first attempt: not scored


@dataclass
class Answered:
    question: QuestionView
    chosen: int
    right_option: int
    right: bool
    explanation: str | None
    next: QuestionView | None
    result: "Result | None"


@dataclass
class Result:
    attempt_id: int
    lesson_title: str
    right: int  # right answers in this round
    asked: int
    score: int  # percent, the first attempt's: the quiz score that counts
    passed: bool  # the first attempt reached the pass mark
    newly_learned: bool
    wrong_left: int
    points: int
    pass_mark: int
    practice: bool = False  # this round was practice after the first attempt


def _view(attempt: QuizAttempt, lesson: Lesson) -> QuestionView:
    q = lesson.quiz[attempt.questions[attempt.position]]
    return QuestionView(attempt.id, attempt.position, attempt.position + 1, len(attempt.questions), lesson.title,
                        q["q"], list(q["options"]), practice=not attempt.first)


def percent(right: int, total: int) -> int:
    return round(100 * right / total) if total else 0


async def start_quiz(session: AsyncSession, ctx: Context, member: Member, lesson_id: int) -> QuestionView | Result:
    """The next question to answer: resumes an open attempt, else starts the whole quiz the first time and
    the questions still wrong after that. A Result means there is nothing left to answer."""
    a, lesson = await lessons.assignment_of(session, member, lesson_id)
    if not lesson.quiz:
        raise Refused("lesson_no_quiz")
    # Two quick presses of "take the quiz" (or two replicas) must resume one attempt, not start two.
    await session.execute(select(LessonAssignment.id).where(LessonAssignment.id == a.id).with_for_update())
    open_attempt = (await session.execute(
        select(QuizAttempt).where(QuizAttempt.assignment_id == a.id, QuizAttempt.finished_at.is_(None))
        .order_by(QuizAttempt.id.desc())
    )).scalars().first()
    if open_attempt is not None:
        return _view(open_attempt, lesson)
    first = a.first_score is None
    questions = list(range(len(lesson.quiz))) if first else \
        [i for i in range(len(lesson.quiz)) if i not in set(a.quiz_right)]
    if not questions:
        return Result(0, lesson.title, len(a.quiz_right), len(lesson.quiz), a.first_score or 0,
                      (a.first_score or 0) >= lesson.pass_percent, False, 0, 0, lesson.pass_percent, practice=True)
    attempt = QuizAttempt(assignment_id=a.id, member_id=member.id, questions=questions, position=0, answers=[],
                          first=first, started_at=ctx.now())
    session.add(attempt)
    await session.flush()
    return _view(attempt, lesson)


async def retry(session: AsyncSession, ctx: Context, member: Member, attempt_id: int) -> QuestionView | Result:
    """From a finished attempt's "practise the wrong ones" button: a practice round, not scored."""
    attempt = await _own_attempt(session, member, attempt_id)
    a = await session.get(LessonAssignment, attempt.assignment_id)
    return await start_quiz(session, ctx, member, a.lesson_id)


async def _own_attempt(session: AsyncSession, member: Member, attempt_id: int) -> QuizAttempt:
    attempt = await session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.member_id != member.id:
        raise Refused("lesson_not_yours")
    return attempt


async def answer(session: AsyncSession, ctx: Context, member: Member, attempt_id: int, position: int,
                 option: int) -> Answered:
    attempt = await _own_attempt(session, member, attempt_id)
    a = await session.get(LessonAssignment, attempt.assignment_id)
    lesson = await session.get(Lesson, a.lesson_id)
    if attempt.finished_at is not None or position != attempt.position:
        raise Refused("lesson_quiz_stale")
    index = attempt.questions[position]
    q = lesson.quiz[index]
    if not 0 <= option < len(q["options"]):
        raise Refused("lesson_quiz_stale")
    # Only one press moves the attempt on, even if two arrive together.
    moved = await session.execute(
        update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.position == position)
        .values(position=position + 1).execution_options(synchronize_session=False)
    )
    if (moved.rowcount or 0) == 0:
        raise Refused("lesson_quiz_stale")
    view = _view(attempt, lesson)
    right = option == q["answer"]
    attempt.position = position + 1
    attempt.answers = [*attempt.answers, [index, option, right]]
    if right and index not in a.quiz_right:
        a.quiz_right = sorted({*a.quiz_right, index})
    nxt, result = None, None
    if attempt.position < len(attempt.questions):
        nxt = _view(attempt, lesson)
    else:
        result = await _finish(session, ctx, member, attempt, a, lesson)
    return Answered(view, option, q["answer"], right, q.get("explanation"), nxt, result)


async def _finish(session: AsyncSession, ctx: Context, member: Member, attempt: QuizAttempt,
                  a: LessonAssignment, lesson: Lesson) -> Result:
    attempt.finished_at = ctx.now()
    total = len(lesson.quiz)
    right_now = sum(1 for _, _, ok in attempt.answers if ok)
    a.score = percent(len(a.quiz_right), total)  # what has been learned so far, practice included
    points = 0
    if attempt.first:
        a.first_score = percent(right_now, total)
        points += await lessons_points.award(session, ctx, member.id, lesson.id, "quiz",
                                             right_now * lessons_points.PER_RIGHT_ANSWER)
        if right_now == total:
            points += await lessons_points.award(session, ctx, member.id, lesson.id, "full_marks",
                                                 lessons_points.FULL_MARKS)
    # Only the first attempt passes: after it the right answers were shown, so a practice round that
    # reaches the mark proves nothing.
    passed = (a.first_score or 0) >= lesson.pass_percent
    newly = False
    if attempt.first and passed and a.learned_at is None:
        points += await lessons.complete(session, ctx, a, "quiz")
        newly = a.learned_at is not None
    audit.record(session, ctx, "lesson.quiz", "lesson", lesson.id, actor_id=member.id, score=a.first_score,
                 practice=not attempt.first)
    return Result(attempt.id, lesson.title, right_now, len(attempt.questions), a.first_score or 0, passed, newly,
                  total - len(a.quiz_right), points, lesson.pass_percent, practice=not attempt.first)
