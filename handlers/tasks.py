"""The responsibility list in chat: /tasks for owners; /overdue, /newtask, /canceltask and /importtasks for
secretaries; the task buttons (progress, done, confirm, return), and a reply to a task card taken as its
progress note. A note may come as a photo or document with the note as its caption (evidence). The rules and
checks live in `storage.tasks`."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import files
from messages import buttons
from messages.buttons import Prefix
from messages.buttons import tasks as task_buttons
from storage.commands import STAFF
from handlers.dialogs import on_input, on_reply
from handlers.session import Turn, handler
from storage import dialogs, tasks


@handler()
async def my_tasks(turn: Turn) -> None:
    """One message, ten tasks a page, a button per task; secretaries also get their units' filters."""
    page = await tasks.page(turn.session, turn.ctx, turn.me)
    turn.say("tasks_page", page.keyboard or None, list=page)


@handler()
async def page_pressed(turn: Turn) -> None:
    number, whose, filter_ = task_buttons.read_page(turn.query.data)
    page = await tasks.page(turn.session, turn.ctx, turn.me, whose, filter_, number)
    turn.edit("tasks_page", page.keyboard or None, list=page)


@handler(roles=STAFF)
async def overdue(turn: Turn) -> None:
    groups = await tasks.overdue_for(turn.session, turn.ctx, turn.me)
    if not groups:
        turn.say("tasks_overdue_none")
        return
    turn.say("tasks_overdue_list", tasks.overdue_keyboard(turn.lang, groups) or None, groups=groups,
             total=sum(len(g.tasks) for g in groups))


@handler(roles=STAFF)
async def import_tasks(turn: Turn) -> None:
    rows = await files.table_from(turn, tasks.read)
    if rows is None:
        turn.document(tasks.template_filename(turn.lang), tasks.template_xlsx(turn.lang), "tasks_template_caption")
        return
    result = await tasks.import_rows(turn.session, turn.ctx, rows, member=turn.me)
    turn.say("tasks_imported", created=result.created, updated=result.updated, rescheduled=result.rescheduled)


@handler()
async def pressed(turn: Turn) -> None:
    task_id, action = task_buttons.read(turn.query.data)
    if action in task_buttons.NOTE_ACTIONS:
        task = await tasks.begin_note(turn.session, turn.ctx, turn.me, task_id, action)
        turn.toast("tasks_note_toast", kind=action)
        turn.say("tasks_note_prompt", kind=action, task=task)
    elif action == task_buttons.OPEN:
        task, keyboard = await tasks.card(turn.session, turn.ctx, turn.me, task_id)
        turn.say("tasks_item", keyboard, task=task)
    elif action == task_buttons.NOTES:
        task, notes = await tasks.notes(turn.session, turn.ctx, turn.me, task_id)
        turn.say("tasks_notes", task=task, notes=notes)
        for note in notes[-EVIDENCE_SHOWN:]:
            if note["evidence"] is not None:
                turn.attachment(note["evidence"].kind, note["evidence"].file_id, "tasks_evidence_caption",
                                task=task, kind=note["kind"], name=note["evidence"].name)
    elif action == task_buttons.NUDGE:
        task = await tasks.nudge(turn.session, turn.ctx, turn.me, task_id)
        turn.toast("tasks_nudged", task=task)
    elif action == task_buttons.CONFIRM:
        task = await tasks.confirm(turn.session, turn.ctx, turn.me, task_id)
        turn.edit("tasks_confirmed", task=task, by=turn.me.name)
    else:
        turn.toast("button_expired", alert=True)


EVIDENCE_SHOWN = 10  # the notes view re-sends the files of the last ten notes at most


def evidence_of(turn: Turn) -> tasks.Evidence | None:
    """A photo (its largest size) or a document sent as the note, by Telegram's file id."""
    msg = turn.message
    if msg is not None and msg.photo:
        return tasks.Evidence("photo", msg.photo[-1].file_id, "", msg.photo[-1].file_size)
    if msg is not None and msg.document:
        return tasks.Evidence("document", msg.document.file_id, msg.document.file_name or "",
                              msg.document.file_size)
    if msg is not None and (msg.video or msg.audio or msg.voice or msg.sticker or msg.animation or msg.video_note):
        return tasks.Evidence("other", "", "")  # refused by the rules: not something the report can show
    return None


@on_input(tasks.NOTE_DIALOG)
async def note_typed(turn: Turn, dialog) -> None:
    kind = dialog.step
    msg = turn.message
    text = (msg.text or msg.caption or "") if msg else ""
    task = await tasks.save_note(turn.session, turn.ctx, turn.me, kind, dialog.data.get("task_id"), text,
                                 evidence_of(turn))
    turn.say("tasks_note_saved", tasks.owner_keyboard(turn.lang, task["id"]) if kind == "progress" else None,
             kind=kind, task=task)


@on_reply(Prefix.TASK)
async def replied(turn: Turn, task_id: str, action: str) -> bool:
    """A reply to a task card (or a reminder) that carries the progress button: a progress note."""
    if action != task_buttons.PROGRESS:
        return False
    await tasks.begin_note(turn.session, turn.ctx, turn.me, task_id, action)
    await note_typed(turn, await dialogs.get(turn.session, turn.me.id))
    return True


@handler(roles=STAFF)
async def cancel_task(turn: Turn) -> None:
    args = turn.context.args or []
    if not args:
        turn.say("tasks_cancel_usage")
        return
    task = await tasks.cancel_task(turn.session, turn.ctx, turn.me, args[0], " ".join(args[1:]))
    turn.say("tasks_cancelled", task=task)


@handler(roles=STAFF)
async def new_task(turn: Turn) -> None:
    await tasks.begin_new(turn.session, turn.ctx, turn.me)
    turn.say("tasks_new_prompt", step="title", data={})


@on_input(tasks.NEW_DIALOG, roles=STAFF)
async def new_task_typed(turn: Turn, dialog) -> None:
    step, data = await tasks.new_input(turn.session, turn.ctx, turn.me, dialog, turn.text)
    keyboard = await tasks.step_keyboard(turn.session, turn.me, step)
    if step == "confirm":
        keyboard = [[task_buttons.wizard(turn.t("tasks_button", name="create"), task_buttons.CREATE),
                     task_buttons.wizard(turn.t("tasks_button", name="cancel"), task_buttons.CANCEL)]]
    turn.say("tasks_new_prompt", keyboard, step=step, data=data)


@handler(roles=STAFF)
async def new_task_pressed(turn: Turn) -> None:
    _, action = task_buttons.read(turn.query.data)
    if action == task_buttons.CREATE:
        task = await tasks.create_from_dialog(turn.session, turn.ctx, turn.me)
        turn.edit("tasks_created", task=task)
    elif action == task_buttons.CANCEL:
        await dialogs.clear(turn.session, turn.me.id)
        turn.edit("cancelled")
    else:
        turn.toast("button_expired", alert=True)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("tasks", my_tasks))
    app.add_handler(CommandHandler("overdue", overdue))
    app.add_handler(CommandHandler("newtask", new_task))
    app.add_handler(CommandHandler("canceltask", cancel_task))
    app.add_handler(MessageHandler(filters.Document.ALL & filters.CaptionRegex(r"^/importtasks(@\w+)?\b"),
                                   import_tasks))
    app.add_handler(CommandHandler("importtasks", import_tasks))
    app.add_handler(CallbackQueryHandler(pressed, pattern=buttons.pattern(Prefix.TASK)))
    app.add_handler(CallbackQueryHandler(page_pressed, pattern=buttons.pattern(Prefix.TASK_LIST)))
    app.add_handler(CallbackQueryHandler(new_task_pressed, pattern=buttons.pattern(Prefix.TASK_WIZARD)))
