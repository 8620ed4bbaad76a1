"""/targets: a secretary reads their units' targets and how they stand; an admin also sets one with
`/targets KEY UNIT VALUE DATE` (KEY the indicator's code or name, UNIT a department or branch, or 全公司/all),
or many at once by sending the `/template targets` sheet with the caption /targets."""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from messages import buttons
from messages.buttons import Prefix

from handlers import files
from handlers.session import Turn, handler
from storage import kpi, members, targets
from storage.commands import ADMIN, STAFF
from storage.errors import Refused


@handler(roles=STAFF)
async def show(turn: Turn) -> None:
    args = list(turn.context.args or [])
    admin = turn.me.has_role("admin")
    lang = turn.me.language
    if args:
        if not admin:
            raise Refused("not_allowed")
        if args[0].lower() in ("set", "设定"):
            args = args[1:]
        if len(args) < 2:
            raise Refused("targets_usage")
        key, unit, rest = args[0], args[1], args[2:]
        target = await targets.set_target(turn.session, turn.ctx, key=key, unit=unit,
                                          value=rest[0] if rest else None, by=rest[1] if len(rest) > 1 else None,
                                          set_by=turn.me)
        measure = kpi.MEASURES[target.key]
        unit_name = None if target.unit_id is None else unit
        s = targets.standing(target, measure, unit_name, target.baseline, target.set_on)
        turn.say("targets_set", t=targets.standing_view(s, lang))
        return
    scope = await members.staff_unit_ids(turn.session, turn.me)
    items = [targets.standing_view(s, lang) for s in await targets.standings(turn.session, turn.ctx, scope)]
    turn.say("targets_list", items=items, admin=admin, example=kpi.catalogue()[0])


@handler(roles=ADMIN)
async def targets_file(turn: Turn) -> None:
    """The targets sheet sent with the caption /targets: every row set, or none (a refused row names itself)."""
    rows = await files.table_from(turn, targets.read)
    done = await targets.import_rows(turn.session, turn.ctx, rows, set_by=turn.me)
    turn.say("targets_imported", count=len(done))


@handler(roles=STAFF)
async def pressed(turn: Turn) -> None:
    """An early warning's button: a corrective measure on the responsibility list, owned by the presser."""
    _, target_id, action = buttons.parse(turn.query.data)
    if not target_id.isdigit() or action != "task":
        turn.toast("button_expired", alert=True)
        return
    task = await targets.corrective_task(turn.session, turn.ctx, turn.me, int(target_id))
    turn.toast("targets_task_made", alert=True, task_no=task.task_no, title=task.title, due=task.due_date)


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.Document.ALL & filters.CaptionRegex(r"^/targets(@\w+)?\b"), targets_file))
    app.add_handler(CommandHandler("targets", show))
    app.add_handler(CallbackQueryHandler(pressed, pattern=buttons.pattern(Prefix.TARGET)))
