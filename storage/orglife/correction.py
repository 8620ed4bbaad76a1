"""The host's correction of attendance after the start: present, on leave or absent, for one invited member;
by the host or the branch's secretary in the chat, or by an operator (`meetings attendance`). Written on the
attendance row (who corrected, when) and in the audit log (what it was before); the ledger, the KPIs and the
make-up lesson follow."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member, Unit
from storage.orglife.makeup import follow
from storage.orglife.people import named
from storage.orglife.models import HOST, LEAVE, Attendance, Invitation, Meeting
from storage.orglife.rules import host_of, invitation, meeting_for

PRESENT, ABSENT = "present", "absent"
STATUSES = (PRESENT, LEAVE, ABSENT)
CHINESE = {"出席": PRESENT, "请假": LEAVE, "缺席": ABSENT}


async def status_of(session: AsyncSession, meeting_id: int, member_id: int) -> str:
    row = (await session.execute(select(Attendance.present).where(
        Attendance.meeting_id == meeting_id, Attendance.member_id == member_id))).scalar_one_or_none()
    if row:
        return PRESENT
    answer = (await session.execute(select(Invitation.answer).where(
        Invitation.meeting_id == meeting_id, Invitation.member_id == member_id))).scalar_one_or_none()
    return LEAVE if answer == LEAVE else ABSENT


async def may_correct(session: AsyncSession, ctx: Context, actor: Member | None, meeting_id: int) -> Meeting:
    """The host or the branch's secretary (None: an operator at the command line), once the meeting started."""
    meeting = await (meeting_for(session, meeting_id) if actor is None else host_of(session, actor, meeting_id))
    if ctx.now() < meeting.starts_at:
        raise Refused("orglife_not_started")
    return meeting


async def correct(session: AsyncSession, ctx: Context, actor: Member | None, meeting_id: int, employee_no: str | None,
                  status: str, *, member_id: int | None = None) -> tuple[Attendance, Member]:
    """Set one invitee (by employee number or name, or by member id from the card) present, on leave or absent."""
    typed, status = status, CHINESE.get((status or "").strip(), (status or "").strip())
    if status not in STATUSES:
        raise Refused("orglife_bad_status", value=typed or "")
    meeting = await may_correct(session, ctx, actor, meeting_id)
    if member_id is not None:
        member = await session.get(Member, member_id)
    else:  # an employee number, or a name unique among the invitees
        invitees = set((await session.execute(select(Invitation.member_id)
                                              .where(Invitation.meeting_id == meeting.id))).scalars())
        member = await named(session, employee_no, "orglife_unknown_member", among=invitees)
    if member is None:
        raise Refused("orglife_unknown_member", value=employee_no or "")
    invited = await invitation(session, meeting, member)
    before = await status_of(session, meeting.id, member.id)
    row = (await session.execute(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                          Attendance.member_id == member.id))).scalar_one_or_none()
    if row is None:
        row = Attendance(meeting_id=meeting.id, member_id=member.id, via=HOST, at=ctx.now())
        session.add(row)
    row.present, row.corrected_by, row.corrected_at = status == PRESENT, actor.id if actor else None, ctx.now()
    if status == LEAVE and invited.answer != LEAVE:
        invited.answer, invited.answered_at = LEAVE, ctx.now()
    elif status == ABSENT and invited.answer == LEAVE:
        invited.answer = None  # the leave was not granted; the reason typed stays on the row
    await session.flush()
    audit.record(session, ctx, "orglife.attendance", "meeting", meeting.id, actor_id=actor.id if actor else None,
                 member=member.employee_no, before=before, after=status, via="chat" if actor else "cli")
    if before != status:
        await follow(session, ctx, meeting, member, status == PRESENT)
    return row, member


async def roll(session: AsyncSession, ctx: Context, actor: Member | None,
               meeting_id: int) -> tuple[Meeting, str, list[dict]]:
    """The meeting, its branch's name, and its invitees with where each stands, for the attendance card."""
    meeting = await may_correct(session, ctx, actor, meeting_id)
    branch = await session.get(Unit, meeting.branch_id)
    present = select(Attendance.member_id).where(Attendance.meeting_id == meeting.id, Attendance.present.is_(True))
    rows = (await session.execute(
        select(Member.id, Member.name, Member.employee_no, Invitation.answer, Invitation.member_id.in_(present),
               Invitation.leave_reason)
        .join(Invitation, Invitation.member_id == Member.id).where(Invitation.meeting_id == meeting.id)
        .order_by(Member.employee_no))).all()
    people = [{"id": r[0], "name": r[1], "no": r[2],
               "status": PRESENT if r[4] else (LEAVE if r[3] == LEAVE else ABSENT),
               "reason": r[5] if r[3] == LEAVE else None} for r in rows]  # the host weighs leave by its reason
    return meeting, branch.name, people
