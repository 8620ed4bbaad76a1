"""Answers as people see them before the meeting: a member's own invitation, edited to show their current answer
(with its buttons kept, so it can still change until the start), and the host's and the branch secretary's view
of who confirmed, who asked for leave (with the reason) and who has not answered yet."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.context import Context
from storage.models.org import Member, Unit
from storage.orglife.models import ATTEND, LEAVE, Invitation, Meeting
from storage.orglife.rules import (host_of, invitation, invitation_keyboard, invitation_view, meeting_for, runners,
                                   view, watchers)

REASON_SHOWN = 60  # characters of a leave reason in the list; the full reason is on the attendance card
LISTED = 80  # names per list: a message holds 4,096 characters; the counts stay exact


async def card(session: AsyncSession, ctx: Context, meeting: Meeting,
               member: Member) -> tuple[dict, list[list[dict]]]:
    """The member's invitation as it stands now: its template's parameters and its buttons."""
    branch = await session.get(Unit, meeting.branch_id)
    host = await session.get(Member, meeting.host_id) if meeting.host_id else None
    row = await invitation(session, meeting, member)
    keyboard = invitation_keyboard(member, meeting, await runners(session, meeting, host),
                                   await watchers(session, meeting))
    return invitation_view(ctx, meeting, branch.name, host, row), keyboard


async def card_of(session: AsyncSession, ctx: Context, meeting_id: int,
                  member: Member) -> tuple[dict, list[list[dict]]]:
    return await card(session, ctx, await meeting_for(session, meeting_id), member)


def _short(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= REASON_SHOWN else text[:REASON_SHOWN - 1] + "…"


async def replies(session: AsyncSession, ctx: Context, actor: Member, meeting_id: int) -> dict:
    """Who confirmed, asked for leave (and why) or has not answered: for the host and the branch's secretaries
    (and admins), at any time; everyone else is refused as they are from the host's other buttons."""
    meeting = await host_of(session, actor, meeting_id)
    branch = await session.get(Unit, meeting.branch_id)
    host = await session.get(Member, meeting.host_id) if meeting.host_id else None
    rows = (await session.execute(
        select(Member.name, Invitation.answer, Invitation.leave_reason)
        .join(Invitation, Invitation.member_id == Member.id).where(Invitation.meeting_id == meeting.id)
        .order_by(Member.employee_no))).all()
    attend = [name for name, answer, _ in rows if answer == ATTEND]
    leave = [{"name": name, "reason": _short(reason)} for name, answer, reason in rows if answer == LEAVE]
    silent = [name for name, answer, _ in rows if answer not in (ATTEND, LEAVE)]
    return view(ctx, meeting, branch.name, host) | {
        "invited": len(rows), "counts": {"attend": len(attend), "leave": len(leave), "silent": len(silent)},
        "attend": attend[:LISTED], "leave": leave[:LISTED], "silent": silent[:LISTED],
        "started": ctx.now() >= meeting.starts_at}
