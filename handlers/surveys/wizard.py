"""/newsurvey: a secretary sends a questionnaire file with that caption, picks a built-in one, or makes a
one-question poll; then title, audience and closing time with buttons. The steps are in
`storage.surveys.wizard`; this module draws each step.
"""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import files
from messages import buttons
from messages.buttons import Prefix, button
from messages.buttons import audience as audience_buttons
from storage.commands import STAFF
from handlers.dialogs import on_input
from handlers.session import Turn, handler
from messages import render
from storage import calendar, surveys
from storage.surveys import CLOSE_CHOICES, GROUP_SIZES, KIND, WizardScreen


def _b(lang: str, name: str, action: str, **params) -> dict:
    return button(render(lang, "survey_wizard_button", name=name, **params), Prefix.SURVEY_WIZARD, 0, action)


def keyboard(lang: str, screen: WizardScreen) -> list[list[dict]]:
    cancel = [_b(lang, "cancel", "cancel")]
    if screen.step == "question":
        return [[_b(lang, "tpl_satisfaction", "tpl.satisfaction")], [_b(lang, "tpl_enps", "tpl.enps")],
                [_b(lang, "tpl_branch_evaluation", "tpl.branch_evaluation")], cancel]
    if screen.step == "options":
        return [[_b(lang, "kind_rating", "kind.rating"), _b(lang, "kind_scale10", "kind.scale10")],
                [_b(lang, "kind_text", "kind.text")], cancel]
    if screen.step == "title":
        rows = [[_b(lang, "title_suggested", "title.suggested", title=screen.data["suggested"])]] \
            if screen.data.get("suggested") else []
        return rows + [cancel]
    if screen.step == "audience":
        rows = [[_b(lang, "aud_all", "aud.all"), _b(lang, "aud_party", "aud.party")]]
        mine = []
        if screen.unit_name:
            mine.append(_b(lang, "aud_unit", "aud.unit", unit=screen.unit_name))
        if screen.branch_name:
            mine.append(_b(lang, "aud_branch", "aud.branch", unit=screen.branch_name))
        return rows + ([mine] if mine else []) + audience_buttons.choices(lang, everyone=False) + [cancel]
    if screen.step == "closes":
        return [[_b(lang, "close_days", f"cls.{n}", days=CLOSE_CHOICES[n]) for n in CLOSE_CHOICES], cancel]
    if screen.step == "confirm":
        return [[_b(lang, "publish", "publish")],
                [_b(lang, "make_named" if screen.data.get("anonymous", True) else "make_anonymous", "named"),
                 _b(lang, "min_group", "group", size=screen.data.get("min_group", GROUP_SIZES[0]))],
                [_b(lang, "share_off" if screen.data.get("shared") else "share_on", "share")],
                cancel]
    return []


def show(turn: Turn, screen: WizardScreen, *, new_message: bool = True) -> None:
    reply = turn.say if new_message else turn.edit
    if screen.step == "cancelled":
        reply("cancelled")
        return
    if screen.step == "published":
        s = screen.survey
        reply("survey_published", title=s.title, survey_id=s.id, audience=s.audience,
              closes=calendar.local(s.closes_at, turn.ctx), anonymous=s.anonymous,
              invites=calendar.delivery_note(s.opens_at, turn.ctx))
        return
    reply("survey_wizard_step", keyboard(turn.lang, screen), step=screen.step,
          questions=[(q.kind, q.text) for q in screen.questions], title=screen.data.get("title", ""),
          audience=screen.data.get("audience", ""), closes=screen.closes(turn.ctx),
          anonymous=screen.data.get("anonymous", True), min_group=screen.data.get("min_group", GROUP_SIZES[0]),
          shared=bool(screen.data.get("shared")), live=len(screen.questions) == 1)


@handler(roles=STAFF)
async def newsurvey(turn: Turn) -> None:
    questions = await files.table_from(turn, surveys.check)
    if questions is None:
        screen = await surveys.begin_poll(turn.session, turn.ctx, turn.me)
    else:
        screen = await surveys.begin_file(turn.session, turn.ctx, turn.me, questions)
    show(turn, screen)


@handler(roles=STAFF)
async def pressed(turn: Turn) -> None:
    _, _, action = buttons.parse(turn.query.data)
    screen = await surveys.wizard_pressed(turn.session, turn.ctx, turn.me, action)
    show(turn, screen, new_message=False)


@on_input(KIND, roles=STAFF)
async def typed(turn: Turn, dialog) -> None:
    screen = await surveys.wizard_typed(turn.session, turn.ctx, turn.me, dialog, turn.text)
    show(turn, screen)


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.Document.ALL & filters.CaptionRegex(r"^/newsurvey(@\w+)?\b"),
                                   newsurvey))
    app.add_handler(CommandHandler("newsurvey", newsurvey))
    app.add_handler(CallbackQueryHandler(pressed, pattern=buttons.pattern(Prefix.SURVEY_WIZARD)))
