"""/newlesson: a secretary sends the lesson (text or `.md` file), picks audience, time and due date with
buttons (or types them), sees the preview and publishes. The steps and rules live in storage.lessons.wizard."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers import files
from messages import buttons
from messages.buttons import lessons as lesson_buttons
from messages.buttons import Prefix
from messages.buttons import audience as audience_buttons
from storage.commands import STAFF
from handlers.dialogs import on_input
from handlers.session import Turn, handler
from storage import calendar, dialogs, lessons
from storage.errors import Refused


def _cancel_row(turn: Turn) -> list[dict]:
    return [lesson_buttons.wizard(turn.t("lesson_wizard_button_cancel"), lesson_buttons.CANCEL)]


def ask_audience(turn: Turn, choices: list[tuple[str, str]]) -> None:
    rows = [[lesson_buttons.wizard(turn.t("lesson_wizard_audience_label", kind=kind, audience=audience),
                                   lesson_buttons.audience(i))] for i, (audience, kind) in enumerate(choices)]
    turn.say("lesson_wizard_ask_audience", rows + audience_buttons.choices(turn.lang, everyone=False)
             + [_cancel_row(turn)])


def ask_time(turn: Turn, audience: str, size: int) -> None:
    row = [lesson_buttons.wizard(turn.t("lesson_wizard_time_label", choice=c), lesson_buttons.time_choice(c))
           for c in lessons.time_choices(turn.ctx)]
    turn.say("lesson_wizard_ask_time", [row[:2], row[2:], _cancel_row(turn)], audience=audience, size=size)


def ask_due(turn: Turn, at) -> None:
    row = [lesson_buttons.wizard(turn.t("lesson_wizard_due_label", choice=c), lesson_buttons.due_choice(c))
           for c in lessons.DUE_CHOICES]
    turn.say("lesson_wizard_ask_due", [row, _cancel_row(turn)], at=calendar.local(at, turn.ctx),
             delivers=calendar.delivery_note(at, turn.ctx))


def show_preview(turn: Turn, p: lessons.Preview) -> None:
    for part in p.parts:
        turn.say_text(part)
    turn.say("lesson_wizard_preview",
             [[lesson_buttons.wizard(turn.t("lesson_wizard_button_publish"), lesson_buttons.PUBLISH)],
              _cancel_row(turn)],
             title=p.title, audience=p.audience, size=p.size, at=p.publish_at, delivers=p.delivers, due=p.due_on,
             questions=p.questions, min_read=p.min_read, parts=len(p.parts))


@handler(roles=STAFF)
async def new_lesson(turn: Turn) -> None:
    await lessons.begin_new(turn.session, turn.ctx, turn.me)
    turn.say("lesson_wizard_ask_text", [_cancel_row(turn)])


@on_input(lessons.KIND, roles=STAFF)
async def typed(turn: Turn, dialog) -> None:
    """Typed input at each step: the lesson itself, or an audience, time or date written out."""
    text = turn.text.strip()
    if dialog.step == lessons.TEXT:
        doc = turn.message.document if turn.message else None
        if doc is not None:
            lessons.check_upload(doc.file_name, doc.file_size)
            data = await files.bytes_of(turn, doc.file_id)
            ask_audience(turn, await lessons.got_text(turn.session, turn.ctx, turn.me, dialog, data=data))
        elif text:
            entities = [(e.type, e.offset, e.length, e.url) for e in turn.message.entities or ()]
            ask_audience(turn, await lessons.got_text(turn.session, turn.ctx, turn.me, dialog,
                                                     text=turn.message.text, entities=entities))
        else:
            turn.say("lesson_wizard_ask_text", [_cancel_row(turn)])
    elif dialog.step == lessons.AUDIENCE:
        audience, size = await lessons.choose_audience(turn.session, turn.ctx, turn.me, dialog, typed=text)
        ask_time(turn, audience, size)
    elif dialog.step == lessons.TIME:
        ask_due(turn, await lessons.choose_time(turn.session, turn.ctx, dialog, typed=text))
    elif dialog.step == lessons.DUE:
        show_preview(turn, await lessons.choose_due(turn.session, turn.ctx, turn.me, dialog, typed=text))
    else:
        turn.say("lesson_wizard_use_buttons")


@handler(roles=STAFF)
async def wizard_button(turn: Turn) -> None:
    _, action = lesson_buttons.read(turn.query.data)
    step, value = lesson_buttons.read_wizard(action)
    if step == lesson_buttons.CANCEL:
        await dialogs.clear(turn.session, turn.me.id)
        turn.edit("cancelled")
        return
    if step == lesson_buttons.PUBLISH:
        lesson = await lessons.publish_new(turn.session, turn.ctx, turn.me)
        turn.edit("lesson_wizard_done", title=lesson.title, at=calendar.local(lesson.publish_at, turn.ctx),
                  now=lesson.publish_at <= turn.ctx.now(), delivers=calendar.delivery_note(lesson.publish_at, turn.ctx))
        return
    if step == "audience":
        dialog = await lessons.current(turn.session, turn.me, lessons.AUDIENCE)
        audience, size = await lessons.choose_audience(turn.session, turn.ctx, turn.me, dialog, index=int(value))
        ask_time(turn, audience, size)
    elif step == "time":
        dialog = await lessons.current(turn.session, turn.me, lessons.TIME)
        ask_due(turn, await lessons.choose_time(turn.session, turn.ctx, dialog, choice=value))
    elif step == "due":
        dialog = await lessons.current(turn.session, turn.me, lessons.DUE)
        show_preview(turn, await lessons.choose_due(turn.session, turn.ctx, turn.me, dialog, choice=value))
    else:
        raise Refused("lesson_wizard_expired")


def register(app: Application) -> None:
    app.add_handler(CommandHandler("newlesson", new_lesson))
    app.add_handler(CallbackQueryHandler(wizard_button, pattern=buttons.pattern(Prefix.LESSON_WIZARD)))
