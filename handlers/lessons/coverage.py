"""/lessons's coverage for staff: who has not studied a lesson, and one press to remind them all (一键提醒).
The scope (a secretary's own units, an admin all) and the once-a-day rule live in `storage.lessons`."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler

from handlers.session import Turn, handler
from messages.buttons import lessons as lesson_buttons
from storage import lessons
from storage.commands import STAFF


async def buttons(turn: Turn, staff: list[dict] | None) -> list[list[dict]]:
    """Under /lessons's coverage (staff): a "who has not studied" button per recent lesson with any."""
    return await lessons.coverage_keyboard(turn.session, turn.me, turn.lang, staff) or []


def _say_unlearned(turn: Turn, view: lessons.Unlearned, *, edit: bool) -> None:
    keyboard = lessons.unlearned_keyboard(turn.lang, view)
    (turn.edit if edit else turn.say)("lesson_unlearned", keyboard, view=view)


@handler(roles=STAFF)
async def pressed(turn: Turn) -> None:
    raw_id, action = lesson_buttons.read(turn.query.data)
    if action == lesson_buttons.UNLEARNED:
        _say_unlearned(turn, await lessons.unlearned(turn.session, turn.ctx, turn.me, raw_id), edit=False)
    else:
        count = await lessons.remind_unlearned(turn.session, turn.ctx, turn.me, raw_id)
        turn.toast("lesson_nudged", count=count)
        _say_unlearned(turn, await lessons.unlearned(turn.session, turn.ctx, turn.me, raw_id), edit=True)


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(pressed, pattern=lesson_buttons.COVERAGE_PATTERN))
