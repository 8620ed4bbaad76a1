"""/lessons and the buttons on a pushed lesson: learned, take the quiz, read again, and the quiz answers."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from messages import buttons
from messages.buttons import lessons as lesson_buttons
from messages.buttons import Prefix
from handlers.lessons import board, coverage
from handlers.session import Turn, handler
from storage import lessons
from storage.errors import Refused

LETTERS = "ABCDEFGH"


def _id(raw: str) -> int:
    if not raw.isdigit():
        raise Refused("button_expired")
    return int(raw)


def question_keyboard(view: lessons.QuestionView) -> list[list[dict]]:
    keys = [lesson_buttons.quiz(LETTERS[i], view.attempt_id, lesson_buttons.answer(view.position, i))
            for i in range(len(view.options))]
    return [keys[i:i + 4] for i in range(0, len(keys), 4)]


def say_question(turn: Turn, view: lessons.QuestionView) -> None:
    turn.say("lesson_quiz_question", question_keyboard(view), title=view.lesson_title, number=view.number,
             total=view.total, question=view.text, options=list(zip(LETTERS, view.options)), practice=view.practice)


def say_result(turn: Turn, result: lessons.Result) -> None:
    keyboard = None
    if result.wrong_left and result.attempt_id:
        keyboard = [[lesson_buttons.quiz(turn.t("lesson_button_retry"), result.attempt_id, lesson_buttons.RETRY)]]
    turn.say("lesson_quiz_result", keyboard, title=result.lesson_title, right=result.right, asked=result.asked,
             score=result.score, passed=result.passed, newly_learned=result.newly_learned,
             wrong_left=result.wrong_left, points=result.points, pass_mark=result.pass_mark,
             practice=result.practice)


@handler()
async def my_lessons(turn: Turn) -> None:
    view = await lessons.overview(turn.session, turn.ctx, turn.me)
    keyboard = [[lesson_buttons.lesson(turn.t("lesson_button_open_title", title=item["title"]), item["id"],
                                       lesson_buttons.OPEN)] for item in view.pending[:5]]
    keyboard += await coverage.buttons(turn, view.staff)
    await board.say_board(turn)  # before the list, so the list and its buttons stay the last message
    turn.say("lesson_list", keyboard or None, pending=view.pending, learned=view.learned,
             points_total=view.points_total, points_today=view.points_today, staff=view.staff)


@handler()
async def lesson_button(turn: Turn) -> None:
    raw_id, action = lesson_buttons.read(turn.query.data)
    lesson_id = _id(raw_id)
    if action == lesson_buttons.LEARNED:
        done = await lessons.mark_learned(turn.session, turn.ctx, turn.me, lesson_id)
        if done.status == "keep_reading":
            turn.toast("lesson_keep_reading", alert=True, seconds=done.wait_seconds)
        elif done.status == "already":
            turn.toast("lesson_already_learned")
        else:
            turn.toast("lesson_learned_toast")
            turn.say("lesson_learned", title=done.lesson.title, points=done.points)
    elif action == lesson_buttons.QUIZ:
        _say_step(turn, await lessons.start_quiz(turn.session, turn.ctx, turn.me, lesson_id))
    elif action == lesson_buttons.OPEN:
        lesson, parts = await lessons.open_lesson(turn.session, turn.ctx, turn.me, lesson_id)
        kb = lessons.keyboard(lesson, turn.lang)
        for i, part in enumerate(parts):
            turn.say_text(part, kb if i == len(parts) - 1 else None)
    else:
        turn.toast("button_expired", alert=True)


def _say_step(turn: Turn, step) -> None:
    """The next quiz question, or the score when nothing is left to answer."""
    if isinstance(step, lessons.Result):
        turn.toast("lesson_quiz_complete", alert=True, score=step.score)
    else:
        say_question(turn, step)


@handler()
async def quiz_button(turn: Turn) -> None:
    raw_id, action = lesson_buttons.read(turn.query.data)
    attempt_id = _id(raw_id)
    if action == lesson_buttons.RETRY:
        _say_step(turn, await lessons.retry(turn.session, turn.ctx, turn.me, attempt_id))
        return
    position, option = lesson_buttons.read_answer(action)
    done = await lessons.answer(turn.session, turn.ctx, turn.me, attempt_id, _id(position), _id(option))
    q = done.question
    turn.edit("lesson_quiz_answered", title=q.lesson_title, number=q.number, total=q.total, question=q.text,
              options=list(zip(LETTERS, q.options)), chosen=LETTERS[done.chosen],
              right_option=LETTERS[done.right_option], right=done.right, explanation=done.explanation,
              practice=q.practice)
    if done.next is not None:
        say_question(turn, done.next)
    else:
        say_result(turn, done.result)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("lessons", my_lessons))
    app.add_handler(CallbackQueryHandler(lesson_button, pattern=buttons.pattern(Prefix.LESSON)))
    app.add_handler(CallbackQueryHandler(quiz_button, pattern=buttons.pattern(Prefix.QUIZ)))
