"""After voting: respondents see a closed survey's results, when its group is large enough.

At close, a survey that promised its results to respondents sends each of them one message (a button to
the results, or a line saying they are withheld); the press is re-checked: shared by the organiser (a survey
kept from respondents is read by its staff with /results only), closed, answered by this member,
and at least `min_group_size` respondents (the report withholds per question as for the organisers, and
the department table is never shown to respondents).

A one-question poll whose results are shared shows its current results to those who voted while it is still
open, under the same gating. It shows what the organisers see: ballots are counted in batches of at least
`min_group_size` (`storage.surveys.tally`), so two looks differ by a whole batch or not at all, and a voter
cannot single out the vote that came in just before theirs.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from messages.buttons import surveys as survey_buttons
from storage import calendar, outbox
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.surveys.models import Survey, SurveyCompletion
from storage.surveys.results import Report, report
from storage.surveys.rules import questions_of


async def announce(session: AsyncSession, ctx: Context, survey: Survey) -> int:
    """One message per respondent who finished, through the outbox (a broadcast: after the quiet hours, as the
    invitations are)."""
    rep = await report(session, ctx, survey)
    respondents = (await session.execute(
        select(Member).join(SurveyCompletion, SurveyCompletion.member_id == Member.id)
        .where(SurveyCompletion.survey_id == survey.id, SurveyCompletion.done.is_(True),
               Member.active.is_(True), Member.chat_id.is_not(None), Member.reachable.is_(True))
        .order_by(Member.id))).scalars().all()
    messages: dict[str, list[dict]] = {}
    rows, not_before = [], calendar.after_quiet(ctx.now(), ctx)
    for m in respondents:
        if m.language not in messages:
            text = render(m.language, "survey_shared_notice", title=survey.title, respondents=rep.respondents,
                          withheld=rep.withheld, minimum=survey.min_group_size)
            keyboard = None if rep.withheld else [[survey_buttons.survey(
                render(m.language, "survey_button", name="shared"), survey.id, survey_buttons.SHARED)]]
            messages[m.language] = [outbox.message(text, keyboard)]
        rows.append(outbox.row(ctx, key=f"survey:{survey.id}:shared:{m.id}", chat_id=m.chat_id,
                               member_id=m.id, messages=messages[m.language], kind="survey.shared",
                               not_before=not_before))
    return await outbox.enqueue_many(session, rows)


def live(survey: Survey, question_count: int) -> bool:
    """Whether those who voted may see the current results before the close: a shared one-question poll."""
    return bool(survey.results_to_respondents) and question_count == 1


async def for_respondent(session: AsyncSession, ctx: Context, member: Member, survey_id: int) -> Report:
    """The results a respondent may read: shared by the organiser, closed (or a shared poll), answered by them,
    and the group large enough."""
    survey = await session.get(Survey, survey_id)
    if survey is None or survey.opened_at is None:
        raise Refused("survey_not_found")
    completion = await session.get(SurveyCompletion, (survey.id, member.id))
    if completion is None or not completion.done:
        raise Refused("survey_results_not_yours")
    if not survey.results_to_respondents:  # a forged press: the organiser kept them (staff read /results)
        raise Refused("survey_results_not_shared", title=survey.title)
    if survey.closed_at is None and not live(survey, len(await questions_of(session, survey.id))):
        raise Refused("survey_shared_not_closed", title=survey.title)
    rep = await report(session, ctx, survey)
    if rep.withheld:
        raise Refused("survey_shared_withheld", minimum=survey.min_group_size, still_open=survey.closed_at is None)
    return rep
