"""/newsurvey in the chat: a secretary's file, a built-in questionnaire or a one-question poll, then the title,
the audience, the closing time and a last look before publishing. The place in the flow is a dialog row,
so a restart resumes it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage import audiences, calendar, dialogs, units
from storage.surveys import rules as surveys
from storage.context import Context
from storage.errors import Refused
from storage.models.dialogs import Dialog
from storage.models.org import Member
from storage.surveys.evaluation import questionnaire
from storage.surveys.files import BUILTINS, MAX_QUESTION_CHARS, QuestionSpec, option_problems, split_options

KIND = "survey_new"
CLOSE_CHOICES = {"1": 1, "3": 3, "7": 7, "14": 14}
GROUP_SIZES = (5, 10, 3)  # the "minimum group" button cycles through these


@dataclass
class WizardScreen:
    """The step to show, with what has been gathered so far (`data` of the dialog)."""

    step: str  # question, options, title, audience, closes, confirm, published, cancelled
    data: dict
    survey: surveys.Survey | None = None
    unit_name: str | None = None
    branch_name: str | None = None

    @property
    def questions(self) -> list[QuestionSpec]:
        return [QuestionSpec.from_dict(q) for q in self.data.get("questions", [])]

    def closes(self, ctx: Context) -> datetime | None:
        value = self.data.get("closes")
        return calendar.local(datetime.fromisoformat(value), ctx) if value else None


async def _screen(session: AsyncSession, member: Member, step: str, data: dict) -> WizardScreen:
    names = await units.names(session, [u for u in (member.unit_id, member.branch_id) if u])
    return WizardScreen(step, data, unit_name=names.get(member.unit_id), branch_name=names.get(member.branch_id))


async def begin_poll(session: AsyncSession, ctx: Context, member: Member) -> WizardScreen:
    """A one-question poll shares its results with those who voted unless the organiser turns it off (shown
    only from `min_group_size` voters); a questionnaire does not unless turned on."""
    data = {"anonymous": True, "shared": True}
    await dialogs.start(session, ctx, member.id, KIND, "question", data)
    return await _screen(session, member, "question", data)


async def begin_file(session: AsyncSession, ctx: Context, member: Member,
                     questions: list[QuestionSpec]) -> WizardScreen:
    """Questions read from a file (`surveys_files.check`, outside the transaction); the title is asked next."""
    data = {"questions": [q.to_dict() for q in questions], "anonymous": True}
    await dialogs.start(session, ctx, member.id, KIND, "title", data)
    return await _screen(session, member, "title", data)


async def begin_builtin(session: AsyncSession, ctx: Context, member: Member, name: str) -> WizardScreen:
    title, tag, questions = await questionnaire(session, name, member.language)
    data = {"questions": [q.to_dict() for q in questions], "anonymous": True, "tag": tag, "suggested": title}
    await dialogs.start(session, ctx, member.id, KIND, "title", data)
    return await _screen(session, member, "title", data)


async def wizard_typed(session: AsyncSession, ctx: Context, member: Member, dialog: Dialog, text: str) -> WizardScreen:
    """Typed input at the question, options, title, audience or closing-time step."""
    text = (text or "").strip()
    data = dict(dialog.data)
    step = dialog.step
    if not text:
        raise Refused("survey_wizard_text_expected")
    if step == "question":
        if len(text) > MAX_QUESTION_CHARS:
            raise Refused("survey_wizard_question_long", limit=MAX_QUESTION_CHARS)
        data["poll"] = text
        return await _to(session, ctx, member, dialog, "options", data)
    if step == "options":
        options = split_options(text)
        problems = option_problems("single", options)
        if problems:
            raise Refused("problem_" + problems[0][0], **problems[0][1])
        return await _poll_questions(session, ctx, member, dialog, data, "single", options)
    if step == "title":
        if len(text) > 200:
            raise Refused("survey_title_invalid")
        data["title"] = text
        return await _to(session, ctx, member, dialog, "audience", data)
    if step == "audience":
        data["audience"] = await audiences.validate(session, text)
        return await _to(session, ctx, member, dialog, "closes", data)
    if step == "closes":
        closes = surveys.parse_close(ctx, text)
        if closes is None:
            raise Refused("survey_wizard_bad_time", value=text)
        if closes <= ctx.now():
            raise Refused("survey_closes_past", closes=calendar.local(closes, ctx))
        data["closes"] = closes.isoformat()
        return await _to(session, ctx, member, dialog, "confirm", data)
    raise Refused("survey_wizard_use_buttons")


async def _poll_questions(session, ctx, member, dialog, data, kind, options) -> WizardScreen:
    """The poll's one question; its text is its title too."""
    question = data.get("poll", "")
    data["questions"] = [QuestionSpec(kind, question, options, True).to_dict()]
    data["title"] = question[:200]
    return await _to(session, ctx, member, dialog, "audience", data)


async def wizard_pressed(session: AsyncSession, ctx: Context, member: Member, action: str) -> WizardScreen:
    """A button of the wizard; each is accepted only at the step that shows it."""
    dialog = await dialogs.get(session, member.id)
    if action.startswith("tpl.") and action[4:] in BUILTINS:
        if dialog is None or dialog.kind != KIND or dialog.step != "question":
            raise Refused("survey_wizard_stale")
        return await begin_builtin(session, ctx, member, action[4:])
    if dialog is None or dialog.kind != KIND:
        raise Refused("survey_wizard_stale")
    data = dict(dialog.data)
    step = dialog.step
    if action == "cancel":
        await dialogs.clear(session, member.id)
        return WizardScreen("cancelled", data)
    if step == "options" and action in ("kind.rating", "kind.scale10", "kind.text"):
        return await _poll_questions(session, ctx, member, dialog, data, action[5:], [])
    if step == "title" and action == "title.suggested" and data.get("suggested"):
        data["title"] = data["suggested"]
        return await _to(session, ctx, member, dialog, "audience", data)
    if step == "audience" and action.startswith("aud."):
        data["audience"] = _audience_choice(action[4:], member, await _screen(session, member, step, data))
        return await _to(session, ctx, member, dialog, "closes", data)
    if step == "closes" and action.startswith("cls.") and action[4:] in CLOSE_CHOICES:
        day = calendar.local(ctx.now(), ctx).date() + timedelta(days=CLOSE_CHOICES[action[4:]])
        data["closes"] = calendar.at_local(day, time(18, 0), ctx).isoformat()
        return await _to(session, ctx, member, dialog, "confirm", data)
    if step == "confirm" and action == "named":
        data["anonymous"] = not data.get("anonymous", True)
        return await _to(session, ctx, member, dialog, "confirm", data)
    if step == "confirm" and action == "share":
        data["shared"] = not data.get("shared", False)
        return await _to(session, ctx, member, dialog, "confirm", data)
    if step == "confirm" and action == "group":
        now = data.get("min_group", GROUP_SIZES[0])
        data["min_group"] = GROUP_SIZES[(GROUP_SIZES.index(now) + 1) % len(GROUP_SIZES)] \
            if now in GROUP_SIZES else GROUP_SIZES[0]
        return await _to(session, ctx, member, dialog, "confirm", data)
    if step == "confirm" and action == "publish":
        survey = await surveys.publish(
            session, ctx, title=data["title"], audience=data["audience"],
            questions=[QuestionSpec.from_dict(q) for q in data["questions"]],
            closes_at=datetime.fromisoformat(data["closes"]), anonymous=data.get("anonymous", True),
            min_group_size=data.get("min_group", GROUP_SIZES[0]), tag=data.get("tag"), created_by=member.id,
            results_to_respondents=bool(data.get("shared", False)))
        await dialogs.clear(session, member.id)
        screen = await _screen(session, member, "published", data)
        screen.survey = survey
        return screen
    raise Refused("survey_wizard_stale")


def _audience_choice(choice: str, member: Member, screen: WizardScreen) -> str:
    if choice == "all":
        return "all"
    if choice == "party":
        return "party"
    if choice == "unit" and screen.unit_name:
        return f"unit:{screen.unit_name}"
    if choice == "branch" and screen.branch_name:
        return f"branch:{screen.branch_name}"
    raise Refused("survey_wizard_stale")


async def _to(session, ctx, member, dialog: Dialog, step: str, data: dict) -> WizardScreen:
    await dialogs.advance(session, ctx, dialog, step, **data)
    return await _screen(session, member, step, data)
