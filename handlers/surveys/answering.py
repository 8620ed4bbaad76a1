"""Answering surveys in the chat (/surveys, the Start button, one question at a time) and /results.

Thin: the rules (who may answer, which question is current, anonymity) are in `storage.surveys`; this
module turns a press into a call and a `Screen` into a message with its keyboard. A reply (Telegram's) to a
question's message answers it: the text of a free-text question, or the option a one-choice question's reply
names.
"""
from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from messages import buttons
from messages.buttons import Prefix
from messages.buttons import surveys as survey_buttons
from storage.commands import STAFF
from handlers.dialogs import on_input, on_reply
from handlers.session import Turn, handler
from messages import render
from storage import calendar, surveys
from storage.errors import Refused
from storage.surveys import TEXT_DIALOG, Screen


def question_keyboard(lang: str, screen: Screen) -> list[list[dict]]:
    q = screen.question
    sid = screen.survey.id
    current = screen.current
    rows: list[list[dict]] = []
    if q.kind == "single":
        rows = [[survey_buttons.question(_mark(lang, label, current == i), sid, survey_buttons.ANSWER, q.id, i)]
                for i, label in enumerate(q.options)]
    elif q.kind == "multi":
        chosen = set(current or [])
        rows = [[survey_buttons.question(_mark(lang, label, i in chosen), sid, survey_buttons.TOGGLE, q.id, i)]
                for i, label in enumerate(q.options)]
        rows.append([survey_buttons.question(render(lang, "survey_button", name="done"), sid, survey_buttons.DONE,
                                             q.id)])
    elif q.kind == "rating":
        rows = [[survey_buttons.question(_mark(lang, str(v), current == v), sid, survey_buttons.ANSWER, q.id, v)
                 for v in range(1, 6)]]
    elif q.kind == "scale10":
        rows = [[survey_buttons.question(_mark(lang, str(v), current == v), sid, survey_buttons.ANSWER, q.id, v)
                 for v in values]
                for values in (range(0, 6), range(6, 11))]
    nav = []
    if screen.position > 0:
        nav.append(survey_buttons.question(render(lang, "survey_button", name="back"), sid, survey_buttons.BACK, q.id))
    if not q.required:
        nav.append(survey_buttons.question(render(lang, "survey_button", name="skip"), sid, survey_buttons.SKIP, q.id))
    if nav:
        rows.append(nav)
    return rows


def _mark(lang: str, label: str, selected: bool) -> str:
    return render(lang, "survey_button", name="selected", label=label) if selected else label


def show(turn: Turn, screen: Screen, *, new_message: bool = False) -> None:
    """Put the screen in the pressed message (or a new one, after typed input)."""
    reply = turn.say if new_message else turn.edit
    if screen.submitted:
        s = screen.survey
        live = surveys.live(s, len(screen.questions))
        keyboard = [[survey_buttons.survey(render(turn.lang, "survey_button", name="live"), s.id,
                                           survey_buttons.SHARED)]] if live else None
        reply("survey_submitted", keyboard, title=s.title, anonymous=s.anonymous, shared=s.results_to_respondents,
              live=live, minimum=s.min_group_size)
        return
    q = screen.question
    reply("survey_question", question_keyboard(turn.lang, screen), title=screen.survey.title,
          number=screen.position + 1, total=len(screen.questions), text=q.text, kind=q.kind, options=q.options,
          required=q.required, answer=screen.current if q.kind == "text" else None)


@handler()
async def list_surveys(turn: Turn) -> None:
    listed = await surveys.for_member(turn.session, turn.ctx, turn.me)
    keyboard = [[survey_buttons.survey(render(turn.lang, "survey_button",
                                              name="resume" if item.status == "started" else "start",
                                              title=item.survey.title), item.survey.id, survey_buttons.START)]
                for item in listed if item.status != "done"]
    visible = await surveys.visible_to(turn.session, turn.ctx, turn.me, limit=5) if turn.me.is_staff else []
    keyboard += [[survey_buttons.survey(render(turn.lang, "survey_button", name="results", title=s.title), s.id,
                                          survey_buttons.RESULTS)] for s in visible]
    turn.say("survey_list", keyboard, items=[(i.survey.title, calendar.local(i.survey.closes_at, turn.ctx),
                                              i.status) for i in listed], staff=turn.me.is_staff)


@handler()
async def pressed(turn: Turn) -> None:
    _, raw_id, action = buttons.parse(turn.query.data)
    if not raw_id.isdigit():
        raise Refused("survey_button_invalid")
    survey_id = int(raw_id)
    if action == survey_buttons.RESULTS:
        await _results(turn, survey_id)
        return
    if action == survey_buttons.SHARED:
        rep = await surveys.for_respondent(turn.session, turn.ctx, turn.me, survey_id)
        for text in surveys.render_report(turn.lang, rep, turn.ctx, for_respondents=True):
            turn.say_text(text)
        return
    if action == survey_buttons.START:
        screen = await surveys.start(turn.session, turn.ctx, turn.me, survey_id)
    else:
        screen = await surveys.press(turn.session, turn.ctx, turn.me, survey_id, action)
    show(turn, screen)


@on_input(TEXT_DIALOG)
async def typed_answer(turn: Turn, dialog) -> None:
    text = turn.message.text if turn.message else None
    if not text:
        raise Refused("survey_text_expected")
    screen = await surveys.typed(turn.session, turn.ctx, turn.me, int(dialog.data["survey"]),
                                 int(dialog.data["question"]), text)
    show(turn, screen, new_message=True)


@on_reply(Prefix.SURVEY)
async def replied(turn: Turn, survey_id: str, action: str) -> bool:
    """A reply to a question's message (found by its buttons): answered as if typed or pressed there. A reply
    to the invitation (its button: start) opens the first question, as pressing it would, rather than the menu."""
    if action == survey_buttons.START and survey_id.isdigit():
        show(turn, await surveys.start(turn.session, turn.ctx, turn.me, int(survey_id)), new_message=True)
        return True
    pressed_ = survey_buttons.read(action)
    if pressed_ is None or not survey_id.isdigit():
        return False
    msg = turn.message
    screen = await surveys.replied(turn.session, turn.ctx, turn.me, int(survey_id), pressed_.question_id,
                                   msg.text if msg is not None else None)
    show(turn, screen, new_message=True)
    return True


@handler(roles=STAFF)
async def results(turn: Turn) -> None:
    args = turn.context.args or []
    if args and args[0].isdigit():
        await _results(turn, int(args[0]))
        return
    visible = await surveys.visible_to(turn.session, turn.ctx, turn.me)
    keyboard = [[survey_buttons.survey(render(turn.lang, "survey_button", name="results", title=s.title), s.id,
                                          survey_buttons.RESULTS)] for s in visible]
    turn.say("survey_results_pick", keyboard, count=len(visible))


async def _results(turn: Turn, survey_id: int) -> None:
    if not turn.me.is_staff:
        raise Refused("not_allowed")
    survey = await surveys.readable(turn.session, turn.ctx, turn.me, survey_id)
    rep = await surveys.report(turn.session, turn.ctx, survey)
    for text in surveys.render_report(turn.lang, rep, turn.ctx):
        turn.say_text(text)
    for q, png in surveys.charts(rep):
        turn.photo(png, "survey_chart_caption", number=q.number, text=q.question.text, kind=q.question.kind,
                   labels=[c.label for c in q.options])
    data = await surveys.export_xlsx(turn.session, turn.ctx, rep, turn.lang)
    turn.document(f"survey{survey.id}_results.xlsx", data, "survey_export_caption", title=survey.title,
                  named=not survey.anonymous)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("surveys", list_surveys))
    app.add_handler(CommandHandler("results", results))
    app.add_handler(CallbackQueryHandler(pressed, pattern=buttons.pattern(Prefix.SURVEY)))
