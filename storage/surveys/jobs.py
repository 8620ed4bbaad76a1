"""Surveys over time: opening at `opens_at`, reminders to those who have not completed, and closing.

Producers, run every tick in their own transaction. The schedule is in the survey's row (`opened_at`,
`reminders_sent`, `last_reminder_at`, `closed_at`) and each outbox row has a dedupe key naming the survey,
the stage and the member, so a restart or a second replica neither loses nor repeats a message.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, cast, delete, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import audiences, audit, bulk, calendar, outbox, producers
from storage.surveys import shared as surveys_shared
from storage.surveys import tally as surveys_tally
from storage.context import Context
from storage.models.dialogs import Dialog
from storage.models.org import Member
from storage.models.outbox import Outbox
from storage.surveys.models import Survey, SurveyCompletion, SurveyProgress
from storage.surveys.rules import (REMINDER_HOUR, TEXT_DIALOG, _open, invitation_text, participation,
                                   questions_count, start_keyboard)

LATE_CHUNK = 500


@producers.producer("surveys.open")
async def produce_openings(session: AsyncSession, ctx: Context) -> int:
    now = ctx.now()
    due = (await session.execute(
        select(Survey).where(Survey.opened_at.is_(None), Survey.opens_at <= now).order_by(Survey.id)
    )).scalars().all()
    written = 0
    for survey in due:
        if survey.closes_at <= now:  # the bot was down through the whole survey: nothing to ask any more
            survey.opened_at = now
            continue
        written += await _open(session, ctx, survey)
    return written


@producers.producer("surveys.late_joiners")
async def invite_late_joiners(session: AsyncSession, ctx: Context) -> int:
    """Members of an open survey's audience who registered after it opened are asked too, as lessons catch
    up on late joiners: a completion row and the invitation (held over quiet hours), once each (the invitation's
    dedupe key is the one opening uses, and whoever has it is passed over)."""
    now = ctx.now()
    open_now = (await session.execute(
        select(Survey).where(Survey.opened_at.is_not(None), Survey.closed_at.is_(None), Survey.opens_at <= now,
                             Survey.closes_at > now).order_by(Survey.id)
    )).scalars().all()
    written = 0
    for survey in open_now:
        invited = exists().where(
            Outbox.dedupe_key == literal(f"survey:{survey.id}:invite:") + cast(Member.id, String))
        done = exists().where(SurveyCompletion.survey_id == survey.id, SurveyCompletion.member_id == Member.id,
                              SurveyCompletion.done.is_(True))
        people = (await session.execute(
            select(Member).where(await audiences.member_filter(session, survey.audience),
                                 Member.linked_at >= survey.opened_at, Member.chat_id.is_not(None),
                                 Member.reachable.is_(True), ~invited, ~done)
            .order_by(Member.id).limit(LATE_CHUNK)
        )).scalars().all()
        if not people:
            continue
        await session.execute(bulk.dialect_insert(session)(SurveyCompletion).values(
            [{"survey_id": survey.id, "member_id": m.id, "done": False} for m in people]
        ).on_conflict_do_nothing(index_elements=["survey_id", "member_id"]))
        count = await questions_count(session, survey.id)
        texts: dict[str, list[dict]] = {}
        rows = []
        for m in people:
            if m.language not in texts:
                texts[m.language] = [outbox.message(invitation_text(m.language, survey, count, ctx),
                                                    start_keyboard(m.language, survey.id))]
            rows.append(outbox.row(ctx, key=f"survey:{survey.id}:invite:{m.id}", chat_id=m.chat_id,
                                   member_id=m.id, messages=texts[m.language], kind="survey.invite",
                                   not_before=calendar.after_quiet(now, ctx)))
        written += await outbox.enqueue_many(session, rows)
    return written


def reminder_times(survey: Survey, ctx: Context) -> list[datetime]:
    """When the reminders are due: spread between opening and the day before closing, the last on that day.

    Each at 10:00 local, at least `reminder_gap_hours` after opening and after each other, before closing.
    """
    n = survey.reminder_max
    if n <= 0:
        return []
    gap = timedelta(hours=survey.reminder_gap_hours)
    close_day = calendar.local(survey.closes_at, ctx).date()
    last = calendar.at_local(close_day - timedelta(days=survey.reminder_last_days_before), REMINDER_HOUR, ctx)
    times: list[datetime] = []
    for i in range(n):
        at = survey.opens_at + (last - survey.opens_at) * (i + 1) / n
        at = calendar.at_local(calendar.local(at, ctx).date(), REMINDER_HOUR, ctx)
        if at < survey.opens_at + gap or at >= survey.closes_at or (times and at < times[-1] + gap):
            continue
        times.append(at)
    return times


@producers.producer("surveys.reminders")
async def produce_reminders(session: AsyncSession, ctx: Context) -> int:
    """Remind the members who have not completed; one reminder per due time, none after close."""
    now = ctx.now()
    if calendar.is_quiet(now, ctx):
        return 0
    candidates = (await session.execute(
        select(Survey).where(Survey.opened_at.is_not(None), Survey.closed_at.is_(None), Survey.closes_at > now,
                             Survey.reminders_sent < Survey.reminder_max)
    )).scalars().all()
    written = 0
    for survey in candidates:
        times = reminder_times(survey, ctx)
        due = [t for t in times if t <= now]
        if len(due) <= survey.reminders_sent:
            continue
        if survey.last_reminder_at and now < survey.last_reminder_at + timedelta(hours=survey.reminder_gap_hours):
            continue
        number = survey.reminders_sent + 1
        # Missed slots (the bot was down) are not made up: one reminder now stands for them.
        survey.reminders_sent = len(due)
        survey.last_reminder_at = now
        pending = (await session.execute(
            select(Member).join(SurveyCompletion, SurveyCompletion.member_id == Member.id)
            .where(SurveyCompletion.survey_id == survey.id, SurveyCompletion.done.is_(False),
                   Member.active.is_(True), Member.chat_id.is_not(None), Member.reachable.is_(True))
        )).scalars().all()
        started = set((await session.execute(
            select(SurveyProgress.member_id).where(SurveyProgress.survey_id == survey.id))).scalars())
        texts: dict[tuple, list[dict]] = {}
        rows = []
        for m in pending:
            key = (m.language, m.id in started)
            if key not in texts:
                texts[key] = [outbox.message(
                    render(m.language, "survey_reminder", title=survey.title, number=number,
                           closes=calendar.local(survey.closes_at, ctx), started=key[1]),
                    start_keyboard(m.language, survey.id, resume=key[1]))]
            rows.append(outbox.row(ctx, key=f"survey:{survey.id}:remind{number}:{m.id}", chat_id=m.chat_id,
                                   member_id=m.id, messages=texts[key], kind="survey.reminder"))
        written += await outbox.enqueue_many(session, rows)
    return written


@producers.producer("surveys.close")
async def produce_closings(session: AsyncSession, ctx: Context) -> int:
    """Close what is due: no more answers, unsent progress deleted, the publisher told, results shared if promised."""
    now = ctx.now()
    due = (await session.execute(
        select(Survey).where(Survey.closed_at.is_(None), Survey.opened_at.is_not(None), Survey.closes_at <= now)
        .order_by(Survey.id)
    )).scalars().all()
    written = 0
    for survey in due:
        survey.closed_at = now
        await session.execute(delete(SurveyProgress).where(SurveyProgress.survey_id == survey.id))
        await _clear_text_dialogs(session, survey.id)
        await surveys_tally.tally(session, ctx, survey)  # closed: every sealed ballot counts now
        audit.record(session, ctx, "survey.closed", "survey", survey.id)
        written += await _announce_close(session, ctx, survey)
    return written


async def _clear_text_dialogs(session: AsyncSession, survey_id: int) -> None:
    stale = (await session.execute(select(Dialog).where(Dialog.kind == TEXT_DIALOG))).scalars().all()
    for d in stale:
        if (d.data or {}).get("survey") == survey_id:
            await session.delete(d)


async def _announce_close(session: AsyncSession, ctx: Context, survey: Survey) -> int:
    written = 0
    done, invited = await participation(session, survey.id)
    if survey.created_by is not None:
        creator = await session.get(Member, survey.created_by)
        if creator is not None:
            text = render(creator.language, "survey_closed_notice", title=survey.title, survey_id=survey.id,
                          done=done, invited=invited)
            written += await outbox.to_member(session, ctx, creator, key=f"survey:{survey.id}:closed",
                                              messages=[outbox.message(text)], kind="survey.closed",
                                              not_before=calendar.after_quiet(ctx.now(), ctx))
    if survey.results_to_respondents:
        written += await surveys_shared.announce(session, ctx, survey)  # one message each
    return written


