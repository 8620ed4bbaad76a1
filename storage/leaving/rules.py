"""Leaving members: the member card a secretary or admin reads (/member NO), and deactivation.

A deactivated member keeps every row they wrote (tasks, notes, answers, bookings): only `active` turns
off, so audiences, reminders, menus and `identify` leave them out. Their open tasks are listed, task by
task, to the lead unit's secretaries, who reassign them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import audit, members, outbox, tasks, units
from storage.context import Context
from storage.errors import Refused
from storage.models.org import Member
from storage.models.outbox import PENDING, Outbox

OPEN_STATES = (*tasks.ACTIVE, "reported")  # still on someone's desk: the owner's or the confirming secretary's


@dataclass
class Leaving:
    """One deactivated member and their open tasks (each with who should take it over)."""

    member: dict
    tasks: list[dict] = field(default_factory=list)


async def _view(session: AsyncSession, member: Member) -> dict:
    names = await units.names(session, [u for u in (member.unit_id, member.branch_id) if u is not None])
    open_count = len(await _open_tasks(session, member.id))
    return {"id": member.id, "no": member.employee_no, "name": member.name,
            "unit": names.get(member.unit_id, ""), "branch": names.get(member.branch_id, ""),
            "roles": [r for r in member.role_set], "party": bool(member.party_member),
            "active": bool(member.active), "registered": member.telegram_user_id is not None,
            "open_tasks": open_count}


async def _open_tasks(session: AsyncSession, member_id: int) -> list:
    return list((await session.execute(
        select(tasks.Task).where(tasks.Task.owner_id == member_id, tasks.Task.status.in_(OPEN_STATES))
        .order_by(tasks.Task.deadline_at, tasks.Task.id))).scalars())


async def card_of(session: AsyncSession, viewer: Member, member: Member) -> dict:
    """The card of a member the caller has already found and checked the viewer may see
    (`storage.memberfile.resolve`: an employee number or a name, within the viewer's units)."""
    view = await _view(session, member)
    view["can_deactivate"] = viewer.has_role("admin") and member.active and member.id != viewer.id
    return view


async def member_for(session: AsyncSession, viewer: Member, member_id) -> Member:
    """The member a pressed button names, re-checked: admins only, someone else, still active."""
    if not viewer.has_role("admin"):
        raise Refused("not_allowed")
    member = await session.get(Member, int(member_id))
    if member is None:
        raise Refused("button_expired")
    if member.id == viewer.id:
        raise Refused("member_not_yourself")
    if not member.active:
        raise Refused("member_already_inactive", name=member.name, no=member.employee_no)
    return member


async def by_numbers(session: AsyncSession, numbers: list[str]) -> list[Member]:
    """The members these employee numbers name, all of them active, or a refusal naming the first problem."""
    wanted = [n.strip() for n in numbers if n.strip()]
    if not wanted:
        raise Refused("member_usage")
    found = []
    for number in dict.fromkeys(wanted):
        member = await members.by_employee_no(session, number)
        if member is None:
            raise Refused("member_not_found", no=number)
        if not member.active:
            raise Refused("member_already_inactive", name=member.name, no=member.employee_no)
        found.append(member)
    return found


async def deactivate(session: AsyncSession, ctx: Context, people: list[Member],
                     actor_id: int | None = None) -> list[Leaving]:
    """Turn the members off: their queued messages are withdrawn, their menu cleared, and each open task is
    listed to the lead unit's secretaries (one notice per secretary)."""
    results, by_secretary = [], {}
    stamp = ctx.now().strftime("%Y%m%d%H%M%S")
    for member in people:
        await session.execute(delete(Outbox).where(Outbox.member_id == member.id, Outbox.status == PENDING))
        if member.chat_id is not None:
            # No member id on the row: it must still go after `active` is off (to_member would skip it).
            await outbox.enqueue(session, ctx, key=f"menu:{member.id}:off:{stamp}", chat_id=member.chat_id,
                                 messages=[outbox.commands_menu(member.chat_id, [])], kind="menu")
        member.active = False
        audit.record(session, ctx, "member.deactivated", "member", member.id, actor_id=actor_id)
        open_tasks = await _open_tasks(session, member.id)
        unit_names = await units.names(session, {t.lead_unit_id for t in open_tasks})
        leaving = Leaving(await _view(session, member))
        for task in open_tasks:
            secretaries = [s for s in await members.secretaries_for_unit(session, task.lead_unit_id)
                           if s.id != member.id]
            leaving.tasks.append({"id": task.id, "no": task.task_no, "title": task.title,
                                  "lead": unit_names.get(task.lead_unit_id, ""), "status": task.status,
                                  "secretaries": [s.name for s in secretaries]})
            for secretary in secretaries:
                by_secretary.setdefault(secretary.id, (secretary, []))[1].append(
                    (member.name, member.employee_no, leaving.tasks[-1]))
        results.append(leaving)
    for secretary, items in by_secretary.values():
        text = render(secretary.language, "member_reassign_notice", items=items)
        await outbox.to_member(session, ctx, secretary, key=f"leaving:{secretary.id}:{stamp}:"
                               + ",".join(str(m.id) for m in people)[:120],
                               messages=[outbox.message(text)], kind="members.reassign")
    return results
