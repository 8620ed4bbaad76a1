"""What organisational life sends by itself: reminders to the invited (the day before and one hour before,
not to those on leave), and the rhythm watch: ten days before a period ends without the required meeting, the
branch's secretaries are warned; once it has ended, the admins get the branches that missed it. The outbox
keys name the object, the stage and the period, so each goes out once across restarts and replicas."""
from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import String, cast, exists, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import calendar, members, outbox, producers
from storage.context import Context
from storage.models.org import Member, Unit
from storage.models.outbox import Outbox
from storage.orglife.models import LEAVE, PLANNED, Invitation, Meeting
from storage.orglife.rules import (all_rules, held, invitation_keyboard, invitation_view, period_of, runners, view,
                                   watchers)

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
WARN_DAYS = 10


async def _say(session: AsyncSession, ctx: Context, member: Member, key: str, row_kind: str, template: str,
               **params) -> bool:
    text = render(member.language, template, **params)
    return await outbox.to_member(session, ctx, member, key=key, messages=[outbox.message(text)], kind=row_kind,
                                  not_before=calendar.after_quiet(ctx.now(), ctx))


def _when(ctx: Context, meeting: Meeting) -> dict:
    """How far off the meeting is when the reminder goes out (after the quiet hours, if they hold it): the
    minutes left and whether it is today or tomorrow, since a meeting planned 20 minutes ahead is not "in an
    hour" and one planned this morning for tonight is not "tomorrow"."""
    sent = calendar.after_quiet(ctx.now(), ctx)
    days = (calendar.local(meeting.starts_at, ctx).date() - calendar.local(sent, ctx).date()).days
    return {"minutes": max(1, round((meeting.starts_at - sent).total_seconds() / 60)), "day": days}


@producers.producer("orglife.reminders")
async def reminders(session: AsyncSession, ctx: Context) -> int:
    now = ctx.now()
    due = (await session.execute(select(Meeting).where(
        Meeting.status == PLANNED, Meeting.starts_at > now,
        or_(Meeting.reminded_day.is_(False), Meeting.reminded_hour.is_(False)),
        Meeting.starts_at <= now + DAY))).scalars().all()
    written = 0
    for meeting in due:
        stage = "hour" if meeting.starts_at <= now + HOUR else "day"
        if stage == "hour" and meeting.reminded_hour or stage == "day" and meeting.reminded_day:
            continue
        meeting.reminded_day = True
        meeting.reminded_hour = meeting.reminded_hour or stage == "hour"
        if calendar.after_quiet(now, ctx) >= meeting.starts_at:
            continue  # held by the quiet hours past the start: no use any more
        branch = await session.get(Unit, meeting.branch_id)
        host = await session.get(Member, meeting.host_id) if meeting.host_id else None
        people = (await session.execute(select(Member).join(Invitation, Invitation.member_id == Member.id).where(
            Invitation.meeting_id == meeting.id, or_(Invitation.answer.is_(None), Invitation.answer != LEAVE))
            .order_by(Member.id))).scalars().all()
        when = _when(ctx, meeting)
        for m in people:
            written += await _say(session, ctx, m, f"orglife:{meeting.id}:{stage}:{m.id}", "orglife.reminder",
                                  "orglife_reminder", stage=stage, **when, **view(ctx, meeting, branch.name, host))
    return written


@producers.producer("orglife.late_joiners")
async def invite_late_joiners(session: AsyncSession, ctx: Context) -> int:
    """Invitees who registered with the bot only after the meeting was planned (a quarter is often planned
    before everyone has joined) get the invitation with its buttons too, as lessons and surveys catch up on
    late joiners. Once each: the outbox key is the one planning uses, and whoever has it is passed over."""
    now = ctx.now()
    upcoming = (await session.execute(select(Meeting).where(Meeting.status == PLANNED, Meeting.starts_at > now)
                                      .order_by(Meeting.id))).scalars().all()
    written = 0
    for meeting in upcoming:
        sent = exists().where(
            Outbox.dedupe_key == literal(f"orglife:{meeting.id}:invite:") + cast(Member.id, String))
        people = (await session.execute(select(Member).join(Invitation, Invitation.member_id == Member.id).where(
            Invitation.meeting_id == meeting.id, Member.active.is_(True), Member.chat_id.is_not(None),
            Member.reachable.is_(True), Member.linked_at >= meeting.created_at, ~sent)
            .order_by(Member.id))).scalars().all()
        if not people:
            continue
        branch = await session.get(Unit, meeting.branch_id)
        host = await session.get(Member, meeting.host_id) if meeting.host_id else None
        hosts, watching = await runners(session, meeting, host), await watchers(session, meeting)
        rows = [outbox.row(ctx, key=f"orglife:{meeting.id}:invite:{m.id}", chat_id=m.chat_id, member_id=m.id,
                           messages=[outbox.message(render(m.language, "orglife_invitation",
                                                           **invitation_view(ctx, meeting, branch.name, host)),
                                                    invitation_keyboard(m, meeting, hosts, watching))],
                           kind="orglife.invite", not_before=calendar.after_quiet(now, ctx)) for m in people]
        written += await outbox.enqueue_many(session, rows)
    return written


async def _branches(session: AsyncSession) -> list[Unit]:
    return list((await session.execute(select(Unit).where(Unit.kind == "branch").order_by(Unit.path))).scalars())


@producers.producer("orglife.rhythm")
async def rhythm(session: AsyncSession, ctx: Context) -> int:
    today = ctx.local_now().date()
    written = 0
    branches = await _branches(session)
    admins = await members.admins(session)
    for rule in await all_rules(session):
        if rule.required <= 0:
            continue
        start, end, name = period_of(today, rule.period)
        if (end - timedelta(days=1) - today).days <= WARN_DAYS:
            for branch in branches:
                count = await held(session, branch.id, rule.kind, calendar.at_local(start, time(0), ctx),
                                   calendar.at_local(end, time(0), ctx))
                if count >= rule.required:
                    continue
                for sec in await members.secretaries_for_unit(session, branch.id):
                    written += await _say(session, ctx, sec, f"orglife:warn:{branch.id}:{rule.kind}:{name}:{sec.id}",
                                          "orglife.warning", "orglife_rhythm_warning", branch=branch.name,
                                          kind=rule.kind, period=name, last=end - timedelta(days=1),
                                          held=count, required=rule.required)
        p_start, p_end, p_name = period_of(start - timedelta(days=1), rule.period)
        missed = []
        for branch in branches:
            count = await held(session, branch.id, rule.kind, calendar.at_local(p_start, time(0), ctx),
                               calendar.at_local(p_end, time(0), ctx))
            if count < rule.required:
                missed.append({"branch": branch.path, "held": count})
        if missed and today < start + timedelta(days=WARN_DAYS):
            for admin in admins:
                written += await _say(session, ctx, admin, f"orglife:missed:{rule.kind}:{p_name}:{admin.id}",
                                      "orglife.warning", "orglife_rhythm_missed", kind=rule.kind, period=p_name,
                                      required=rule.required, missed=missed)
    return written

