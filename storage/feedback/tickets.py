"""What the writer's and the office's sides of feedback share: dates, ticket numbers, who is responsible for
a ticket, and the two ways a ticket speaks (a notice to the office, a relay to the writer through the
sealed route). Both kinds of outbox rows are private: deleted once sent (`feedback_jobs.scrub_outbox`).
"""
from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import audit, calendar, members, outbox
from storage.feedback import routes
from storage.context import Context
from storage.errors import Refused
from storage.feedback.config import category_name, load_config, office_name, status_name
from storage.feedback.texts import long_messages, open_keyboard, writer_keyboard
from storage.feedback.models import (ANSWERED, CLOSED_STATES, FeedbackAuditQueue, FeedbackMessage, FeedbackRoute,
                                     FeedbackTicket, FeedbackTicketUnit)
from storage.models.org import Member

RELAY, NOTICE, ESCALATION, DIGEST = "feedback.relay", "feedback.notice", "feedback.escalation", "feedback.digest"
# Kinds whose rows are deleted once sent: they hold a writer's chat id or the moment a writer acted.
PRIVATE_KINDS = (RELAY, NOTICE)
ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ID_LENGTH = 8


def today(ctx: Context) -> date:
    return ctx.local_now().date()


def midnight(ctx: Context, day: date) -> datetime:
    return calendar.at_local(day, time(0), ctx)


async def new_id(session: AsyncSession) -> str:
    """A random ticket number (no sequence: numbers must not order anonymous writers)."""
    while True:
        candidate = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
        if await session.get(FeedbackTicket, candidate) is None:
            return candidate


async def message_text(session: AsyncSession, text: str | None) -> str:
    """A ticket's text, a reply or an answer back: stripped, not empty, within the configured length."""
    text = (text or "").strip()
    if not text:
        raise Refused("feedback_need_text")
    cfg = await load_config(session)
    if len(text) > cfg.max_text:
        raise Refused("feedback_text_too_long", max=cfg.max_text)
    return text


def normalise_id(raw: str) -> str:
    return (raw or "").strip().lstrip("#").upper()[:16]


def writer_audit(session: AsyncSession, ctx: Context, ticket: FeedbackTicket, action: str,
                 member: Member) -> None:
    """A signed ticket's writer is audited as anyone; an anonymous one's action waits in the queue and
    enters the trail the next day with no actor and the date only (`feedback_jobs.release_audit`)."""
    if not ticket.anonymous:
        audit.record(session, ctx, action, "feedback_ticket", ticket.id, actor_id=member.id)
        return
    session.add(FeedbackAuditQueue(ticket_id=ticket.id, action=action, day=today(ctx)))


async def unit_size(session: AsyncSession, unit_id: int) -> int:
    return (await session.execute(
        select(func.count(Member.id)).where(Member.unit_id == unit_id, Member.active.is_(True))
    )).scalar_one()


async def ticket_unit_ids(session: AsyncSession, ticket_id: str) -> set[int]:
    return set((await session.execute(
        select(FeedbackTicketUnit.unit_id).where(FeedbackTicketUnit.ticket_id == ticket_id)
    )).scalars().all())


async def responsible_staff(session: AsyncSession, ticket_id: str) -> list[Member]:
    """Secretaries of the units the ticket's category routes to; the admins when it routes nowhere."""
    unit_ids = await ticket_unit_ids(session, ticket_id)
    if not unit_ids:
        return await members.admins(session)
    people: dict[int, Member] = {}
    for uid in sorted(unit_ids):
        for m in await members.secretaries_for_unit(session, uid):
            people[m.id] = m
    return list(people.values()) or await members.admins(session)


async def handlers_of(session: AsyncSession, ticket: FeedbackTicket) -> list[Member]:
    """Who hears of the writer's actions: the assignee while they are staff, else the responsible staff."""
    if ticket.assignee_id is not None:
        assignee = await session.get(Member, ticket.assignee_id)
        if assignee is not None and assignee.active and assignee.is_staff:
            return [assignee]
    return await responsible_staff(session, ticket.id)


async def has_answer(session: AsyncSession, ticket: FeedbackTicket) -> bool:
    """The writer may rate once the office has answered (a reply, not only a follow-up question) or closed
    the ticket: there is nothing to rate before."""
    if ticket.status in (ANSWERED, *CLOSED_STATES):
        return True
    return (await session.execute(
        select(FeedbackMessage.id).where(FeedbackMessage.ticket_id == ticket.id, FeedbackMessage.author == "office",
                                         FeedbackMessage.kind == "reply").limit(1))).first() is not None


async def close(session: AsyncSession, ctx: Context, ticket: FeedbackTicket, status: str) -> None:
    """Close the ticket; its route now expires after the retention (the way back ends with it)."""
    cfg = await load_config(session)
    ticket.status = status
    ticket.closed_on = today(ctx)
    route = await session.get(FeedbackRoute, ticket.id)
    if route is not None:
        route.expires_on = ticket.closed_on + timedelta(days=cfg.route_retention_days)


async def notify_staff(session: AsyncSession, ctx: Context, ticket: FeedbackTicket, people: list[Member],
                       template: str, stage: str, *, body: str | None = None, **params) -> int:
    """One message to each staff member; rows are private (deleted once sent: their time is the writer's).
    The dedupe key carries a fresh token: each call is one action in one transaction."""
    cfg = await load_config(session)
    token = secrets.token_hex(6)
    rows = []
    for m in people:
        if m.chat_id is None or not m.reachable or not m.active:
            continue
        lang = m.language
        keyboard = open_keyboard(lang, ticket.id)
        category = category_name(cfg, lang, ticket.category)
        if body is not None:
            msgs = long_messages(lang, template, body=body, ticket_id=ticket.id, keyboard=keyboard,
                                 category=category, **params)
        else:
            msgs = [outbox.message(render(lang, template, ticket=ticket.id, category=category, **params), keyboard)]
        rows.append(outbox.row(ctx, key=f"feedback:{ticket.id}:{stage}:{token}:{m.id}", chat_id=m.chat_id,
                               member_id=m.id, messages=msgs, kind=NOTICE,
                               not_before=calendar.after_quiet(ctx.now(), ctx)))
    return await outbox.enqueue_many(session, rows)


async def relay(session: AsyncSession, ctx: Context, ticket: FeedbackTicket, template: str, *,
                body: str | None = None, **params) -> bool:
    """Send the writer a message through the sealed route (False when the route is gone or they left),
    signed with the office's name, never a secretary's."""
    writer_id = await routes.writer_id(session, ctx, ticket.id)
    writer = await session.get(Member, writer_id) if writer_id is not None else None
    if writer is None or writer.chat_id is None or not writer.active:
        return False
    cfg = await load_config(session)
    lang = writer.language
    params = dict(params, office=office_name(cfg, lang), category=category_name(cfg, lang, ticket.category),
                  status=status_name(lang, ticket.status))
    keyboard = writer_keyboard(lang, ticket, await has_answer(session, ticket)) or None
    if body is not None:
        msgs = long_messages(lang, template, body=body, ticket_id=ticket.id, keyboard=keyboard, **params)
    else:
        msgs = [outbox.message(render(lang, template, ticket=ticket.id, **params), keyboard)]
    # Sealed, no member id: in the clear the row would pair the writer's chat with this ticket in the
    # transaction that wrote it. It goes once it is sent.
    return await outbox.enqueue_many(session, [outbox.sealed_row(
        ctx, key=f"feedback:{ticket.id}:relay:{secrets.token_hex(8)}", chat_id=writer.chat_id, messages=msgs,
        kind=RELAY, not_before=calendar.after_quiet(ctx.now(), ctx))]) == 1
