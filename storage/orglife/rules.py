"""The kinds of organisational life and their rhythm, planning a meeting and inviting its audience, answers
(attend, or leave with a reason, changeable until the start), check-in and the host's corrections.

A meeting's window runs from `EARLY` before its start to its end; check-in is possible only inside it, by the
rotating code the host shows (`/checkin CODE`) or by the button while the host has opened check-in.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from messages.buttons import Prefix, button
from messages.buttons import orglife as orglife_buttons
from storage import audiences, bulk, calendar, members, outbox, units
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member, Unit
from storage.orglife.makeup import made_up
from storage.orglife.people import named
from storage.orglife.when import parse_at
from storage.orglife.models import (ATTEND, BUTTON, CODE, HOST, LEAVE, PLANNED, Attendance, Invitation, Meeting,
                                    OrglifeRule)

COMMITTEE = "支委会"
KINDS = ("支委会", "党小组会", "党员大会", "党课", "主题党日")
MONTH, QUARTER = "month", "quarter"
PERIODS = {MONTH: MONTH, QUARTER: QUARTER, "月": MONTH, "月度": MONTH, "每月": MONTH, "季度": QUARTER, "季": QUARTER,
           "每季度": QUARTER}
DEFAULTS = {"支委会": MONTH, "党小组会": MONTH, "党员大会": QUARTER, "党课": QUARTER, "主题党日": MONTH}
COMMITTEE_ROLE = "secretary"  # the branch committee (支委) is given by this role
DURATION = timedelta(hours=2)
EARLY = timedelta(minutes=30)
CODE_STEP = 600  # seconds a check-in code stands; the one before it is still taken
TOPIC_MAX, PLACE_MAX, REASON_MAX = 500, 300, 300


@dataclass
class Rule:
    kind: str
    period: str
    required: int
    audience: str | None


def check_kind(text: str) -> str:
    kind = (text or "").strip()
    if kind not in KINDS:
        raise Refused("orglife_bad_kind", value=text or "", kinds=KINDS)
    return kind


async def all_rules(session: AsyncSession) -> list[Rule]:
    rows = {r.kind: r for r in (await session.execute(select(OrglifeRule))).scalars()}
    return [Rule(k, rows[k].period, rows[k].required, rows[k].audience) if k in rows else Rule(k, DEFAULTS[k], 1, None)
            for k in KINDS]


async def rule_for(session: AsyncSession, kind: str) -> Rule:
    return next(r for r in await all_rules(session) if r.kind == kind)


async def configure(session: AsyncSession, ctx: Context, kind: str, *, period: str | None = None,
                    required: int | None = None, audience: str | None = None) -> Rule:
    """An admin's change to a kind's rhythm or audience (`audience="default"` restores the default)."""
    kind = check_kind(kind)
    current = await rule_for(session, kind)
    if period is not None:
        typed, period = period, PERIODS.get(period.strip().lower())
        if period is None:
            raise Refused("orglife_bad_period", value=typed)
    if required is not None and not 0 <= required <= 12:
        raise Refused("orglife_bad_required", value=required)
    if audience == "default":
        new_audience = None
    elif audience is not None:
        new_audience = await audiences.validate(session, audience)
    else:
        new_audience = current.audience
    row = await session.get(OrglifeRule, kind)
    if row is None:
        row = OrglifeRule(kind=kind)
        session.add(row)
    row.period = period or current.period
    row.required = current.required if required is None else required
    row.audience, row.updated_at = new_audience, ctx.now()
    await session.flush()
    return Rule(kind, row.period, row.required, row.audience)


# --- periods -----------------------------------------------------------------------------------------

def period_of(day: date, period: str) -> tuple[date, date, str]:
    """[first day, day after the last) of the month or quarter holding `day`, and its name."""
    if period == MONTH:
        first = day.replace(day=1)
        name = f"{day.year}-{day.month:02d}"
    else:
        q = (day.month - 1) // 3
        first = date(day.year, 3 * q + 1, 1)
        name = f"{day.year}-Q{q + 1}"
    months = 1 if period == MONTH else 3
    m = first.month - 1 + months
    return first, date(first.year + m // 12, m % 12 + 1, 1), name


# --- audience -----------------------------------------------------------------------------------------

async def branch_named(session: AsyncSession, text: str) -> Unit:
    unit = await units.by_name(session, "branch", (text or "").strip())
    if unit is None:
        raise Refused("audience_unknown_unit", kind="branch", name=text or "")
    return unit


async def audience(session: AsyncSession, branch: Unit, rule: Rule) -> list[Member]:
    """The branch's Party members (支委会: those of them on the committee), or the kind's explicit audience."""
    if rule.audience:
        return await audiences.members(session, rule.audience)
    ids = await units.subtree_ids(session, {branch.id})
    rows = (await session.execute(select(Member).where(Member.active.is_(True), Member.party_member.is_(True),
                                                       Member.branch_id.in_(ids)).order_by(Member.id))).scalars()
    return [m for m in rows if rule.kind != COMMITTEE or m.has_role(COMMITTEE_ROLE)]


async def may_plan(session: AsyncSession, actor: Member, branch: Unit) -> bool:
    scope = await members.staff_unit_ids(session, actor)
    return scope is None or branch.id in scope


# --- planning -----------------------------------------------------------------------------------------

@dataclass
class Plan:
    branch: str
    kind: str
    at: str
    place: str
    topic: str
    host_no: str | None = None


def clean(text: str | None, limit: int, template: str) -> str:
    value = " ".join((text or "").split())
    if not value or len(value) > limit:
        raise Refused(template, limit=limit)
    return value


async def plan(session: AsyncSession, ctx: Context, spec: Plan, actor: Member | None) -> tuple[Meeting, int]:
    """Make the meeting and queue its invitations; everything is checked before anything is written."""
    branch = await branch_named(session, spec.branch)
    kind = check_kind(spec.kind)
    starts = parse_at(spec.at, ctx)
    place = clean(spec.place, PLACE_MAX, "orglife_bad_place")
    topic = clean(spec.topic, TOPIC_MAX, "orglife_bad_topic")
    if actor is not None and not await may_plan(session, actor, branch):
        raise Refused("orglife_not_your_branch", branch=branch.name)
    host = actor
    if spec.host_no:
        host = await named(session, spec.host_no, "orglife_unknown_host")
    rule = await rule_for(session, kind)
    invited = await audience(session, branch, rule)
    if not invited:
        raise Refused("orglife_no_audience", branch=branch.name, kind=kind)
    meeting = Meeting(branch_id=branch.id, kind=kind, starts_at=starts, ends_at=starts + DURATION, place=place,
                      topic=topic, host_id=host.id if host else None, status=PLANNED,
                      created_by=actor.id if actor else None, created_at=ctx.now())
    session.add(meeting)
    await session.flush()
    await bulk.insert_new(session, Invitation, [{"meeting_id": meeting.id, "member_id": m.id} for m in invited],
                          ["meeting_id", "member_id"])
    rows = []
    hosts, watching = await runners(session, meeting, host), await watchers(session, meeting)
    for m in invited:
        if m.chat_id is None or not m.reachable:
            continue
        text = render(m.language, "orglife_invitation", **invitation_view(ctx, meeting, branch.name, host))
        rows.append(outbox.row(ctx, key=f"orglife:{meeting.id}:invite:{m.id}", chat_id=m.chat_id, member_id=m.id,
                               messages=[outbox.message(text, invitation_keyboard(m, meeting, hosts, watching))],
                               kind="orglife.invite", not_before=calendar.after_quiet(ctx.now(), ctx)))
    await outbox.enqueue_many(session, rows)
    return meeting, len(invited)


def view(ctx: Context, meeting: Meeting, branch: str, host: Member | None) -> dict:
    return {"kind": meeting.kind, "branch": branch, "starts": calendar.local(meeting.starts_at, ctx),
            "place": meeting.place, "topic": meeting.topic, "host": host.name if host else "—"}


async def runners(session: AsyncSession, meeting: Meeting, host: Member | None) -> set[int]:
    """Who gets the host's buttons on the invitation: the host, or without one (a meeting planned by the CLI
    with no --host) the branch's secretaries, who may run any of its meetings anyway (`host_of`)."""
    if host is not None:
        return {host.id}
    return {m.id for m in await members.secretaries_for_unit(session, meeting.branch_id)}


def invitation_view(ctx: Context, meeting: Meeting, branch: str, host: Member | None,
                    row: Invitation | None = None) -> dict:
    """What the invitation shows: the meeting, and the reader's answer so far (edited in as they answer)."""
    return view(ctx, meeting, branch, host) | {"answer": row.answer if row else None,
                                               "reason": row.leave_reason if row else None}


async def watchers(session: AsyncSession, meeting: Meeting) -> set[int]:
    """The branch's secretaries: besides the host, they follow who has answered before the meeting."""
    return {m.id for m in await members.secretaries_for_unit(session, meeting.branch_id)}


def invitation_keyboard(member: Member, meeting: Meeting, hosts: set[int],
                        watching: set[int] = frozenset()) -> list[list[dict]]:
    def label(which):
        return render(member.language, "orglife_button", which=which)
    keyboard = [[button(label("attend"), Prefix.ORGLIFE, meeting.id, "attend"),
                 button(label("leave"), Prefix.ORGLIFE, meeting.id, "leave")],
                [button(label("checkin"), Prefix.ORGLIFE, meeting.id, "checkin")]]
    if member.id in hosts:
        keyboard.append([button(label("code"), Prefix.ORGLIFE, meeting.id, "code"),
                         button(label("open"), Prefix.ORGLIFE, meeting.id, "open"),
                         button(label("minutes"), Prefix.ORGLIFE, meeting.id, "minutes")])
        keyboard.append([orglife_buttons.roll(label("roll"), meeting.id),
                         button(label("replies"), Prefix.ORGLIFE, meeting.id, "replies")])
    elif member.id in watching:
        keyboard.append([button(label("replies"), Prefix.ORGLIFE, meeting.id, "replies")])
    return keyboard


async def meeting_for(session: AsyncSession, meeting_id: int) -> Meeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.status != PLANNED:
        raise Refused("button_expired")
    return meeting


async def invitation(session: AsyncSession, meeting: Meeting, member: Member) -> Invitation:
    row = (await session.execute(select(Invitation).where(Invitation.meeting_id == meeting.id,
                                                          Invitation.member_id == member.id))).scalar_one_or_none()
    if row is None:
        raise Refused("orglife_not_invited")
    return row


async def host_name(session: AsyncSession, meeting: Meeting) -> str:
    host = await session.get(Member, meeting.host_id) if meeting.host_id else None
    return host.name if host else "—"


# --- answers --------------------------------------------------------------------------------------------

async def _answerable(session: AsyncSession, ctx: Context, member: Member, meeting_id: int) -> Invitation:
    meeting = await meeting_for(session, meeting_id)
    row = await invitation(session, meeting, member)
    if ctx.now() >= meeting.starts_at:
        raise Refused("orglife_answers_closed")
    return row


async def attend(session: AsyncSession, ctx: Context, member: Member, meeting_id: int) -> Meeting:
    row = await _answerable(session, ctx, member, meeting_id)
    row.answer, row.leave_reason, row.answered_at = ATTEND, None, ctx.now()
    return await session.get(Meeting, meeting_id)


async def may_ask_leave(session: AsyncSession, ctx: Context, member: Member, meeting_id: int) -> Meeting:
    await _answerable(session, ctx, member, meeting_id)
    return await session.get(Meeting, meeting_id)


async def ask_leave(session: AsyncSession, ctx: Context, member: Member, meeting_id: int,
                    reason: str | None) -> Meeting:
    """Leave needs a reason; the whole answer is refused (nothing written) without one."""
    row = await _answerable(session, ctx, member, meeting_id)
    text = " ".join((reason or "").split())
    if not text:
        raise Refused("orglife_reason_required")
    if len(text) > REASON_MAX:
        raise Refused("orglife_reason_too_long", limit=REASON_MAX)
    row.answer, row.leave_reason, row.answered_at = LEAVE, text, ctx.now()
    return await session.get(Meeting, meeting_id)


# --- check-in ---------------------------------------------------------------------------------------------

def in_window(meeting: Meeting, now: datetime) -> bool:
    return meeting.starts_at - EARLY <= now < meeting.ends_at


def code_at(ctx: Context, meeting: Meeting, moment: datetime) -> str:
    step = int(moment.timestamp()) // CODE_STEP
    digest = hmac.new(ctx.secret, f"orglife:{meeting.id}:{step}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 1_000_000:06d}"


def current_code(ctx: Context, meeting: Meeting) -> str:
    if not in_window(meeting, ctx.now()):
        raise Refused("orglife_outside_window")
    return code_at(ctx, meeting, ctx.now())


async def host_of(session: AsyncSession, member: Member, meeting_id: int) -> Meeting:
    meeting = await meeting_for(session, meeting_id)
    branch = await session.get(Unit, meeting.branch_id)
    if meeting.host_id != member.id and not (member.is_staff and await may_plan(session, member, branch)):
        raise Refused("not_allowed")
    return meeting


async def show_code(session: AsyncSession, ctx: Context, member: Member, meeting_id: int) -> tuple[Meeting, str]:
    meeting = await host_of(session, member, meeting_id)
    return meeting, current_code(ctx, meeting)


async def open_checkin(session: AsyncSession, ctx: Context, member: Member, meeting_id: int) -> Meeting:
    meeting = await host_of(session, member, meeting_id)
    current_code(ctx, meeting)  # refuses outside the window
    meeting.checkin_open = True
    return meeting


async def _record(session: AsyncSession, ctx: Context, meeting: Meeting, member: Member, via: str) -> None:
    await invitation(session, meeting, member)  # nobody outside the audience
    new = await bulk.insert_new(session, Attendance, [{"meeting_id": meeting.id, "member_id": member.id,
                                                       "present": True, "via": via, "at": ctx.now()}],
                                ["meeting_id", "member_id"])
    if not new:
        raise Refused("orglife_already_checked_in")


async def checkin_code(session: AsyncSession, ctx: Context, member: Member, code: str | None) -> Meeting:
    """`/checkin CODE`: the code names one meeting whose window is open now."""
    typed = (code or "").strip()
    now = ctx.now()
    candidates = (await session.execute(select(Meeting).where(
        Meeting.status == PLANNED, Meeting.starts_at <= now + EARLY,
        Meeting.ends_at > now))).scalars().all()
    if not candidates:
        raise Refused("orglife_outside_window")
    for meeting in candidates:
        if typed and typed in (code_at(ctx, meeting, now), code_at(ctx, meeting, now - timedelta(seconds=CODE_STEP))):
            await _record(session, ctx, meeting, member, CODE)
            return meeting
    raise Refused("orglife_bad_code", value=typed)


async def checkin_button(session: AsyncSession, ctx: Context, member: Member, meeting_id: int) -> Meeting:
    meeting = await meeting_for(session, meeting_id)
    await invitation(session, meeting, member)
    if not in_window(meeting, ctx.now()):
        raise Refused("orglife_outside_window")
    if not meeting.checkin_open:
        raise Refused("orglife_checkin_not_open")
    await _record(session, ctx, meeting, member, BUTTON)
    return meeting


# --- counts -----------------------------------------------------------------------------------------------

@dataclass
class Tally:
    invited: int
    present: int
    leave: int

    @property
    def absent(self) -> int:
        return self.invited - self.present - self.leave


async def tally(session: AsyncSession, meeting_id: int) -> Tally:
    invited = (await session.execute(select(func.count(Invitation.id))
                                     .where(Invitation.meeting_id == meeting_id))).scalar_one()
    present_ids = set((await session.execute(select(Attendance.member_id).where(
        Attendance.meeting_id == meeting_id, Attendance.present.is_(True)))).scalars())
    leave = (await session.execute(select(func.count(Invitation.id)).where(
        Invitation.meeting_id == meeting_id, Invitation.answer == LEAVE,
        Invitation.member_id.not_in(present_ids) if present_ids else Invitation.id.is_not(None)))).scalar_one()
    return Tally(int(invited), len(present_ids), int(leave))


async def held(session: AsyncSession, branch_id: int, kind: str, start: datetime, end: datetime,
               until: datetime | None = None) -> int:
    """Meetings of a kind the branch has in [start, end): held or planned (what the rhythm warning asks for), or
    with `until` only those begun by then (what /orglife and the KPIs call held)."""
    query = select(func.count(Meeting.id)).where(
        Meeting.branch_id == branch_id, Meeting.kind == kind, Meeting.status == PLANNED,
        Meeting.starts_at >= start, Meeting.starts_at < end)
    if until is not None:
        query = query.where(Meeting.starts_at <= until)
    return int((await session.execute(query)).scalar_one())


async def year_view(session: AsyncSession, ctx: Context, branch: Unit, year: int) -> list[dict]:
    """Per kind: held and required this year so far, how many more are planned, and attendance of the meetings
    that took place (a meeting planned for next week is not "held" yet)."""
    today = ctx.local_now().date()
    out = []
    for rule in await all_rules(session):
        required, done = 0, 0
        first = date(year, 1, 1)
        while first.year == year and first <= today:
            start, end, _ = period_of(first, rule.period)
            required += rule.required
            count = await held(session, branch.id, rule.kind, calendar.at_local(start, time(0), ctx),
                               calendar.at_local(end, time(0), ctx), until=ctx.now())
            done += min(count, rule.required)
            first = end
        upcoming = await held(session, branch.id, rule.kind, ctx.now(),
                              calendar.at_local(date(year + 1, 1, 1), time(0), ctx))
        meetings = (await session.execute(select(Meeting).where(
            Meeting.branch_id == branch.id, Meeting.kind == rule.kind, Meeting.status == PLANNED,
            Meeting.starts_at >= calendar.at_local(date(year, 1, 1), time(0), ctx),
            Meeting.starts_at < min(ctx.now(), calendar.at_local(date(year + 1, 1, 1), time(0), ctx))))).scalars().all()
        invited = present = 0
        for meeting in meetings:
            t = await tally(session, meeting.id)
            invited, present = invited + t.invited, present + t.present
        makeup = (await made_up(session, [m.id for m in meetings])).values()
        out.append({"kind": rule.kind, "period": rule.period, "held": done, "required": required, "planned": upcoming,
                    "meetings": len(meetings), "no_minutes": sum(m.minutes_at is None for m in meetings),
                    "rate": round(100 * present / invited) if invited else None,
                    "makeup": sum(a for a, _ in makeup), "made_up": sum(d for _, d in makeup)})
    return out


async def own_branch(session: AsyncSession, member: Member) -> Unit:
    if member.branch_id is None:
        raise Refused("orglife_no_branch")
    return await session.get(Unit, member.branch_id)



async def year_branches(session: AsyncSession, member: Member) -> list[Unit]:
    """The branches whose year a member may see: every one for admins, a secretary's own (with those below)."""
    scope = await members.staff_unit_ids(session, member)
    query = select(Unit).where(Unit.kind == "branch").order_by(Unit.path)
    if scope is not None:
        query = query.where(Unit.id.in_(scope))
    return list((await session.execute(query)).scalars())


async def year_branch(session: AsyncSession, member: Member, text: str | None = None,
                      unit_id: int | None = None) -> Unit | None:
    """The branch /orglife shows: the one named or pressed (within the member's branches), or their only one;
    None when they have several and have to choose."""
    allowed = await year_branches(session, member)
    if unit_id is not None:
        found = next((b for b in allowed if b.id == unit_id), None)
        if found is None:
            raise Refused("button_expired")
        return found
    if text and text.strip():
        branch = await branch_named(session, text)
        if branch.id not in {b.id for b in allowed}:
            raise Refused("orglife_not_your_branch_view", branch=branch.name)
        return branch
    if not allowed:
        raise Refused("orglife_no_branch")
    return allowed[0] if len(allowed) == 1 else None
