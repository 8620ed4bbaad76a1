"""Feedback, the writer's side: opening /feedback under the daily limit, submitting a ticket (anonymous by
default), following it, answering in its thread, resolving, reopening and rating. Who wrote a ticket is
known only through its sealed route (`storage.feedback.routes`): every check of "is this yours" opens it.

Each action of the writer is checked in their own transaction and queued sealed (`storage.feedback.pending`);
the tick applies it (the `apply_*` functions, checked again). The writer's transaction reads tickets but
writes, rewrites or locks none: a ticket row touched by it would share its transaction id with whatever
else it wrote about the writer (their dialog, their member row).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from storage import calendar, units
from storage.feedback import pending
from storage.feedback import routes
from storage.context import Context
from storage.errors import Refused
from storage.feedback.config import FeedbackConfig, load_config
from storage.feedback.views import disclosure
from storage.feedback.tickets import (close, handlers_of, has_answer, message_text, new_id, normalise_id, notify_staff,
                                      responsible_staff, today, unit_size, writer_audit)
from storage.feedback.models import (ANSWERED, ASSIGNED, CLOSED_STATES, LIVE_STATES, OPEN, RESOLVED,
                                     FeedbackMessage, FeedbackRoute, FeedbackTicket, FeedbackTicketUnit)
from storage.models.org import Member


async def start(session: AsyncSession, ctx: Context, member: Member) -> FeedbackConfig:
    """Opening /feedback: refused at once when today's tickets are used up."""
    cfg = await load_config(session)
    await _check_limit(session, ctx, cfg, member)
    return cfg


async def _check_limit(session: AsyncSession, ctx: Context, cfg: FeedbackConfig, member: Member) -> None:
    day = today(ctx)
    mine = await routes.tickets_of(session, ctx, member.id, received_on=day)
    queued = [a for a in await pending.waiting_for(session, ctx, member.id, "submit") if a.data["day"] == str(day)]
    if len(mine) + len(queued) >= cfg.daily_limit:
        raise Refused("feedback_limit_reached", limit=cfg.daily_limit)


async def unit_offer(session: AsyncSession, member: Member) -> int | None:
    """The writer's department, if it is big enough (`min_unit_size`) to be shown on an anonymous ticket
    when they choose so; None otherwise. The one rule both the confirmation and the filing follow."""
    cfg = await load_config(session)
    if member.unit_id is None or await unit_size(session, member.unit_id) < cfg.min_unit_size:
        return None
    return member.unit_id


async def _ticket_unit(session: AsyncSession, member: Member, anonymous: bool, show_unit: bool) -> int | None:
    """The department the ticket keeps: a signed ticket's always; an anonymous one's only when the writer
    chose to show it and it is big enough."""
    if not anonymous:
        return member.unit_id
    return await unit_offer(session, member) if show_unit else None


async def submit(session: AsyncSession, ctx: Context, member: Member, *, category: str, text: str,
                 anonymous: bool = True, attachment: dict | None = None, show_unit: bool = False) -> FeedbackTicket:
    """Check a ticket and queue it sealed under its new number; returns the ticket as it will be filed (not
    stored: the tick files it, `apply_submit`). Refusals queue nothing."""
    cfg = await load_config(session)
    if category not in cfg.categories:
        raise Refused("feedback_unknown_category")
    text = await message_text(session, text)
    await _check_limit(session, ctx, cfg, member)
    data = {"ticket": await new_id(session), "category": category, "text": text, "anonymous": anonymous,
            "show_unit": show_unit, "attachment": attachment or {}, "day": today(ctx).isoformat()}
    await pending.queue(session, ctx, "submit", member.id, **data)
    ticket = _queued_ticket(data)
    # What the office will see, as the filing will decide it: the writer is shown exactly this.
    ticket.unit_id = await _ticket_unit(session, member, anonymous, show_unit)
    ticket.writer_member_id = None if anonymous else member.id
    return ticket


def _queued_ticket(data: dict) -> FeedbackTicket:
    """A queued ticket as the writer sees it until the tick files it (not stored)."""
    return FeedbackTicket(id=data["ticket"], category=data["category"], anonymous=data["anonymous"],
                          text=data["text"], status=OPEN, received_on=date.fromisoformat(data["day"]))


async def apply_submit(session: AsyncSession, ctx: Context, member: Member, data: dict) -> None:
    """The tick files a queued ticket: store it, seal its route and tell the responsible staff."""
    cfg = await load_config(session)
    category, text, anonymous = data["category"], data["text"], data["anonymous"]
    attachment = data.get("attachment") or {}
    day = date.fromisoformat(data["day"])
    if await session.get(FeedbackTicket, data["ticket"]) is not None:
        return  # the number was taken meanwhile (one chance in 10^11); filed once, never twice
    unit_id = await _ticket_unit(session, member, anonymous, bool(data.get("show_unit")))
    ticket = FeedbackTicket(
        id=data["ticket"], category=category, anonymous=anonymous,
        writer_member_id=None if anonymous else member.id, unit_id=unit_id, text=text,
        attachment_kind=attachment.get("kind"), attachment_file_id=attachment.get("file_id"),
        attachment_name=attachment.get("name"), status=OPEN, received_on=day,
        deadline_on=calendar.add_working_days(day, cfg.reply_deadline_days, ctx), escalations=0, pdca_done=False,
    )
    session.add(ticket)
    await session.flush()
    session.add(routes.new_route(ctx, ticket.id, member.id))
    for name in cfg.routing.get(category, []):
        unit = await units.find_any(session, name)
        if unit is not None:
            session.add(FeedbackTicketUnit(ticket_id=ticket.id, unit_id=unit.id))
    await session.flush()
    writer_audit(session, ctx, ticket, "feedback.submitted", member)
    await notify_staff(session, ctx, ticket, await responsible_staff(session, ticket.id), "feedback_notice_new",
                       "new", body=text, deadline=ticket.deadline_on, **await disclosure(session, ticket))
    # No log line here: its timestamp next to a ticket number would be the precise moment the ticket never keeps.


# --- the writer's side ---------------------------------------------------------------------------------

async def my_tickets(session: AsyncSession, ctx: Context, member: Member) -> list[FeedbackTicket]:
    """The member's tickets, newest first, those the tick has not filed yet included."""
    queued = [_queued_ticket(a.data) for a in await pending.waiting_for(session, ctx, member.id, "submit")]
    return queued + await routes.tickets_of(session, ctx, member.id)


async def writer_ticket(session: AsyncSession, ctx: Context, member: Member, ticket_id: str) -> FeedbackTicket:
    """The ticket, if this member wrote it; anyone else is told it does not exist (forged data included)."""
    ticket = await session.get(FeedbackTicket, normalise_id(ticket_id))
    if ticket is None or await routes.writer_id(session, ctx, ticket.id) != member.id:
        raise Refused("feedback_ticket_unknown")
    return ticket


async def begin_writer_reply(session: AsyncSession, ctx: Context, member: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await writer_ticket(session, ctx, member, ticket_id)
    if ticket.status in CLOSED_STATES:
        raise Refused("feedback_ticket_closed_writer", ticket=ticket.id)
    return ticket


async def writer_message(session: AsyncSession, ctx: Context, member: Member, ticket_id: str,
                         text: str) -> FeedbackTicket:
    """The writer answers in the ticket's thread: checked now, added by the tick (`apply_message`)."""
    ticket = await begin_writer_reply(session, ctx, member, ticket_id)
    text = await message_text(session, text)
    await pending.queue(session, ctx, "message", member.id, ticket=ticket.id, text=text, day=today(ctx).isoformat())
    return ticket


async def apply_message(session: AsyncSession, ctx: Context, member: Member, data: dict) -> None:
    ticket = await _locked(session, ctx, member, data["ticket"])
    if ticket.status in CLOSED_STATES:
        raise Refused("feedback_ticket_closed_writer", ticket=ticket.id)
    text = data["text"]
    session.add(FeedbackMessage(ticket_id=ticket.id, author="writer", kind="text", text=text,
                                day=date.fromisoformat(data["day"])))
    if ticket.status == ANSWERED:
        ticket.status = ASSIGNED if ticket.assignee_id else OPEN
    writer_audit(session, ctx, ticket, "feedback.writer_message", member)
    await notify_staff(session, ctx, ticket, await handlers_of(session, ticket), "feedback_notice_writer",
                       "writer", body=text)


async def writer_resolve(session: AsyncSession, ctx: Context, member: Member, ticket_id: str) -> FeedbackTicket:
    """The writer says it is solved; returns the ticket as it will be once the tick applies it."""
    ticket = await writer_ticket(session, ctx, member, ticket_id)
    if ticket.status not in LIVE_STATES:
        raise Refused("feedback_already_closed", ticket=ticket.id)
    await pending.queue(session, ctx, "resolve", member.id, ticket=ticket.id)
    return _as_it_will_be(ticket, status=RESOLVED, closed_on=today(ctx))


async def apply_resolve(session: AsyncSession, ctx: Context, member: Member, data: dict) -> None:
    """The ticket closes as resolved and the office is asked for the PDCA."""
    ticket = await _locked(session, ctx, member, data["ticket"])
    if ticket.status not in LIVE_STATES:
        raise Refused("feedback_already_closed", ticket=ticket.id)
    await close(session, ctx, ticket, RESOLVED)
    writer_audit(session, ctx, ticket, "feedback.resolved_by_writer", member)
    await notify_staff(session, ctx, ticket, await handlers_of(session, ticket), "feedback_notice_resolved",
                       "resolved")


def _reopenable(ticket: FeedbackTicket) -> None:
    if ticket.status not in (ANSWERED, *CLOSED_STATES):
        raise Refused("feedback_not_reopenable", ticket=ticket.id)


async def writer_reopen(session: AsyncSession, ctx: Context, member: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await writer_ticket(session, ctx, member, ticket_id)
    _reopenable(ticket)
    await pending.queue(session, ctx, "reopen", member.id, ticket=ticket.id)
    return _as_it_will_be(ticket, status=ASSIGNED if ticket.assignee_id else OPEN, closed_on=None)


async def apply_reopen(session: AsyncSession, ctx: Context, member: Member, data: dict) -> None:
    ticket = await _locked(session, ctx, member, data["ticket"])
    _reopenable(ticket)
    ticket.status = ASSIGNED if ticket.assignee_id else OPEN
    ticket.closed_on = None
    route = await session.get(FeedbackRoute, ticket.id)
    if route is not None:
        route.expires_on = None
    writer_audit(session, ctx, ticket, "feedback.reopened", member)
    await notify_staff(session, ctx, ticket, await handlers_of(session, ticket), "feedback_notice_reopened",
                       "reopened")


async def _rateable(session: AsyncSession, ticket: FeedbackTicket, stars: int) -> None:
    if not 1 <= stars <= 5:
        raise Refused("button_expired")
    if not await has_answer(session, ticket):
        raise Refused("feedback_nothing_to_rate")


async def rate(session: AsyncSession, ctx: Context, member: Member, ticket_id: str, stars: int) -> FeedbackTicket:
    ticket = await writer_ticket(session, ctx, member, ticket_id)
    await _rateable(session, ticket, stars)
    await pending.queue(session, ctx, "rate", member.id, ticket=ticket.id, stars=stars)
    return _as_it_will_be(ticket, rating=stars)


async def apply_rate(session: AsyncSession, ctx: Context, member: Member, data: dict) -> None:
    ticket = await _locked(session, ctx, member, data["ticket"])
    await _rateable(session, ticket, data["stars"])
    ticket.rating = data["stars"]
    writer_audit(session, ctx, ticket, "feedback.rated", member)


async def _locked(session: AsyncSession, ctx: Context, member: Member, ticket_id: str) -> FeedbackTicket:
    """In the tick: the ticket, locked against the office's presses, if this member still wrote it."""
    ticket = await session.get(FeedbackTicket, ticket_id, with_for_update=True)
    if ticket is None or await routes.writer_id(session, ctx, ticket.id) != member.id:
        raise Refused("feedback_ticket_unknown")
    return ticket


def _as_it_will_be(ticket: FeedbackTicket, **changes) -> FeedbackTicket:
    """A copy outside the session with the queued change applied: what the writer is shown at once."""
    values = {c.key: getattr(ticket, c.key) for c in FeedbackTicket.__table__.columns}
    return FeedbackTicket(**{**values, **changes})


APPLY = {"submit": apply_submit, "message": apply_message, "resolve": apply_resolve, "reopen": apply_reopen,
         "rate": apply_rate}
