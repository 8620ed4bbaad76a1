"""Anonymous feedback (意见反馈): submitting, routing, the office's handling, the writer's side, PDCA.

The rules that keep anonymity a property of the data live here:
- an anonymous ticket stores no member id and no Telegram id, a random number, and dates only for whatever
  the writer does (received_on, closed_on, message days; an anonymous writer's audit events enter the trail
  the next day in a shuffled batch, dated at midnight);
- the way back to the writer is the sealed route (`storage.feedback_routes`); replies go through it;
- outbox rows that carry a writer's chat id or betray the moment the writer acted ("feedback.relay",
  "feedback.notice") are deleted once sent (`storage.feedback_jobs`);
- the writer's department is kept only when it has at least `min_unit_size` members;
- the office signs what it sends to the writer with the office's name, never a secretary's.
"""
from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import Prefix, button
from messages import render
from storage import audit, calendar, members, outbox, settings, units
from storage import feedback_routes as routes
from storage.context import Context
from storage.errors import Refused
from storage.models.feedback import (ANSWERED, ASSIGNED, CLOSED_STATES, LIVE_STATES, OPEN, RESOLVED, UNRESOLVED,
                                     FeedbackAuditQueue, FeedbackMessage, FeedbackRoute, FeedbackTicket,
                                     FeedbackTicketUnit)
from storage.models.org import Member

DEFAULT_CATEGORIES = ("work", "hardship", "dispute", "safety", "suggestion", "other")
SETTING_KEY = "feedback.config"
CONFIG_MAX = 1000
RELAY, NOTICE, ESCALATION, DIGEST = "feedback.relay", "feedback.notice", "feedback.escalation", "feedback.digest"
# Kinds whose rows are deleted once sent: they hold a writer's chat id or the moment a writer acted.
PRIVATE_KINDS = (RELAY, NOTICE)
MESSAGE_LIMIT = 4096
EXCERPT = 500
PDCA_MAX = 2000
ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ID_LENGTH = 8


# --- configuration -------------------------------------------------------------------------------------

@dataclass
class FeedbackConfig:
    """What an organisation may change; kept as JSON in the settings table under `feedback.config`."""

    categories: list[str] = field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    labels: dict[str, dict[str, str]] = field(default_factory=dict)   # names of custom categories per language
    routing: dict[str, list[str]] = field(default_factory=dict)        # category -> unit names; none: the admins
    daily_limit: int = 5
    route_retention_days: int = 30
    reply_deadline_days: int = 3
    min_unit_size: int = 5
    pdca_optional: list[str] = field(default_factory=lambda: ["suggestion"])
    office_name: dict[str, str] = field(default_factory=dict)          # per language; default: a template
    max_text: int = 20000


async def load_config(session: AsyncSession) -> FeedbackConfig:
    raw = await settings.get(session, SETTING_KEY)
    if not raw:
        return FeedbackConfig()
    known = FeedbackConfig.__dataclass_fields__
    return FeedbackConfig(**{k: v for k, v in json.loads(raw).items() if k in known})


async def save_config(session: AsyncSession, cfg: FeedbackConfig) -> None:
    """Store the configuration after checking it: every routed unit must exist, every routed category too."""
    if not cfg.categories or len(set(cfg.categories)) != len(cfg.categories):
        raise Refused("feedback_config_invalid", reason="categories")
    for key in cfg.categories:  # keys travel in callback data (64 bytes) and the ticket row
        if not re.fullmatch(r"[a-z0-9_]{1,32}", key):
            raise Refused("feedback_config_invalid", reason=key)
    for key, names in cfg.routing.items():
        if key not in cfg.categories:
            raise Refused("feedback_config_invalid", reason=key)
        for name in names:
            if await units.find_any(session, name) is None:
                raise Refused("audience_unknown_unit", kind="unit", name=name)
    if min(cfg.daily_limit, cfg.route_retention_days, cfg.reply_deadline_days, cfg.min_unit_size) < 1:
        raise Refused("feedback_config_invalid", reason="limits")
    value = json.dumps(asdict(cfg), ensure_ascii=False)
    if len(value) > CONFIG_MAX:  # the settings column holds 1000 characters
        raise Refused("feedback_config_invalid", reason=f"longer than {CONFIG_MAX} characters")
    await settings.put(session, SETTING_KEY, value)


def category_name(cfg: FeedbackConfig, lang: str, key: str) -> str:
    names = cfg.labels.get(key) or {}
    return render(lang, "feedback_category", key=key, label=names.get(lang) or names.get("zh") or key)


def office_name(cfg: FeedbackConfig, lang: str) -> str:
    return cfg.office_name.get(lang) or render(lang, "feedback_office_default")


def status_name(lang: str, status: str) -> str:
    return render(lang, "feedback_status", status=status)


# --- texts that may be long ----------------------------------------------------------------------------

_ESCAPED = {"&": 5, "<": 4, ">": 4, '"': 5, "'": 5}


def excerpt(text: str, size: int = EXCERPT) -> str:
    """At most `size` characters once HTML-escaped (a "&" costs five), so a view built from excerpts fits in
    one message whatever people typed."""
    used = 0
    for i, ch in enumerate(text):
        used += _ESCAPED.get(ch, 1)
        if used > size:
            return text[:i].rstrip() + "…"
    return text


def long_messages(lang: str, template: str, *, body: str, ticket_id: str, keyboard=None, **params) -> list[dict]:
    """Outbox messages for a text that quotes `body`: one message when it fits, otherwise the message with an
    excerpt followed by the whole text as a UTF-8 file (a send never fails on length, nothing is cut)."""
    text = render(lang, template, body=body, long=False, ticket=ticket_id, **params)
    if len(text) <= MESSAGE_LIMIT:
        return [outbox.message(text, keyboard)]
    short = render(lang, template, body=excerpt(body), long=True, ticket=ticket_id, **params)
    caption = render(lang, "feedback_body_caption", ticket=ticket_id)
    return [outbox.message(short, keyboard),
            outbox.document(f"feedback-{ticket_id}.txt", body.encode("utf-8"), caption)]


# --- keyboards -----------------------------------------------------------------------------------------

def _b(lang: str, name: str, prefix: Prefix, obj, action: str, **params) -> dict:
    return button(render(lang, "feedback_button", name=name, **params), prefix, obj, action)


def writer_keyboard(lang: str, ticket: FeedbackTicket) -> list[list[dict]]:
    """What the writer can do with their ticket in its current state."""
    rows: list[list[dict]] = []
    if ticket.status in LIVE_STATES:
        rows.append([_b(lang, "answer_back", Prefix.FEEDBACK, ticket.id, "reply"),
                     _b(lang, "resolved", Prefix.FEEDBACK, ticket.id, "resolve")])
    if ticket.status in (ANSWERED, *CLOSED_STATES):
        rows.append([_b(lang, "reopen", Prefix.FEEDBACK, ticket.id, "reopen")])
    if ticket.first_reply_at is not None:
        rows.append([_b(lang, "star", Prefix.FEEDBACK, ticket.id, f"rate{n}", n=n) for n in range(1, 6)])
    return rows


def staff_keyboard(lang: str, ticket: FeedbackTicket) -> list[list[dict]]:
    rows: list[list[dict]] = []
    if ticket.status in LIVE_STATES:
        rows.append([_b(lang, "take", Prefix.INBOX, ticket.id, "take"),
                     _b(lang, "reply", Prefix.INBOX, ticket.id, "reply"),
                     _b(lang, "ask", Prefix.INBOX, ticket.id, "ask")])
        rows.append([_b(lang, "mark_answered", Prefix.INBOX, ticket.id, "answered"),
                     _b(lang, "close_resolved", Prefix.INBOX, ticket.id, "resolve"),
                     _b(lang, "close_unresolved", Prefix.INBOX, ticket.id, "close")])
    elif ticket.status == RESOLVED and not ticket.pdca_done:
        rows.append([_b(lang, "pdca", Prefix.INBOX, ticket.id, "resolve")])
    if ticket.measure and ticket.task_id is None:
        rows.append([_b(lang, "to_task", Prefix.INBOX, ticket.id, "task")])
    if ticket.attachment_file_id:
        rows.append([_b(lang, "attachment", Prefix.INBOX, ticket.id, "file")])
    return rows


def open_keyboard(lang: str, ticket_id: str) -> list[list[dict]]:
    return [[_b(lang, "open", Prefix.INBOX, ticket_id, "view")]]


# --- small helpers -------------------------------------------------------------------------------------

def today(ctx: Context) -> date:
    return ctx.local_now().date()


def midnight(ctx: Context, day: date) -> datetime:
    return calendar.at_local(day, time(0), ctx)


def _writer_audit(session: AsyncSession, ctx: Context, ticket: FeedbackTicket, action: str,
                  member: Member) -> None:
    """A signed ticket's writer is audited as anyone; an anonymous one's action waits in the queue and
    enters the trail the next day with no actor and the date only (`feedback_jobs.release_audit`)."""
    if not ticket.anonymous:
        audit.record(session, ctx, action, "feedback_ticket", ticket.id, actor_id=member.id)
        return
    session.add(FeedbackAuditQueue(ticket_id=ticket.id, action=action, day=today(ctx)))


async def _new_id(session: AsyncSession) -> str:
    while True:
        candidate = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
        if await session.get(FeedbackTicket, candidate) is None:
            return candidate


def normalise_id(raw: str) -> str:
    return (raw or "").strip().lstrip("#").upper()[:16]


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


async def _notify_staff(session: AsyncSession, ctx: Context, ticket: FeedbackTicket, people: list[Member],
                        template: str, stage: str, *, body: str | None = None, **params) -> int:
    """One message to each staff member; rows are private (deleted once sent: their time is the writer's)."""
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


async def _relay(session: AsyncSession, ctx: Context, ticket: FeedbackTicket, template: str, *,
                 body: str | None = None, **params) -> bool:
    """Send the writer a message through the sealed route (False when the route is gone or they left)."""
    writer_id = await routes.writer_id(session, ctx, ticket.id)
    writer = await session.get(Member, writer_id) if writer_id is not None else None
    if writer is None or writer.chat_id is None or not writer.active:
        return False
    cfg = await load_config(session)
    lang = writer.language
    params = dict(params, office=office_name(cfg, lang), category=category_name(cfg, lang, ticket.category),
                  status=status_name(lang, ticket.status))
    keyboard = writer_keyboard(lang, ticket) or None
    if body is not None:
        msgs = long_messages(lang, template, body=body, ticket_id=ticket.id, keyboard=keyboard, **params)
    else:
        msgs = [outbox.message(render(lang, template, ticket=ticket.id, **params), keyboard)]
    # No member_id on the row: the chat id is the only pointer, and the row goes once it is sent.
    return await outbox.enqueue(session, ctx, key=f"feedback:{ticket.id}:relay:{secrets.token_hex(8)}",
                                chat_id=writer.chat_id, messages=msgs, kind=RELAY,
                                not_before=calendar.after_quiet(ctx.now(), ctx))


# --- submitting ----------------------------------------------------------------------------------------

async def start(session: AsyncSession, ctx: Context, member: Member) -> FeedbackConfig:
    """Opening /feedback: refused at once when today's tickets are used up."""
    cfg = await load_config(session)
    await _check_limit(session, ctx, cfg, member)
    return cfg


async def _check_limit(session: AsyncSession, ctx: Context, cfg: FeedbackConfig, member: Member) -> None:
    mine = await routes.tickets_of(session, ctx, member.id, received_on=today(ctx))
    if len(mine) >= cfg.daily_limit:
        raise Refused("feedback_limit_reached", limit=cfg.daily_limit)


async def submit(session: AsyncSession, ctx: Context, member: Member, *, category: str, text: str,
                 anonymous: bool = True, attachment: dict | None = None) -> FeedbackTicket:
    """Store a ticket, seal its route and tell the responsible staff. Refusals store nothing."""
    cfg = await load_config(session)
    if category not in cfg.categories:
        raise Refused("feedback_unknown_category")
    text = (text or "").strip()
    if not text:
        raise Refused("feedback_need_text")
    if len(text) > cfg.max_text:
        raise Refused("feedback_text_too_long", max=cfg.max_text)
    await _check_limit(session, ctx, cfg, member)
    day = today(ctx)
    unit_id = member.unit_id
    if anonymous and unit_id is not None and await unit_size(session, unit_id) < cfg.min_unit_size:
        unit_id = None  # a small unit would all but name the writer
    attachment = attachment or {}
    ticket = FeedbackTicket(
        id=await _new_id(session), category=category, anonymous=anonymous,
        writer_member_id=None if anonymous else member.id, unit_id=unit_id, text=text,
        attachment_kind=attachment.get("kind"), attachment_file_id=attachment.get("file_id"),
        attachment_name=attachment.get("name"), status=OPEN, received_on=day,
        deadline_on=calendar.add_working_days(day, cfg.reply_deadline_days), escalations=0, pdca_done=False,
    )
    session.add(ticket)
    await session.flush()
    session.add(routes.new_route(ctx, ticket.id, member.id))
    for name in cfg.routing.get(category, []):
        unit = await units.find_any(session, name)
        if unit is not None:
            session.add(FeedbackTicketUnit(ticket_id=ticket.id, unit_id=unit.id))
    await session.flush()
    _writer_audit(session, ctx, ticket, "feedback.submitted", member)
    unit_names = await units.names(session, [unit_id] if unit_id else [])
    await _notify_staff(session, ctx, ticket, await responsible_staff(session, ticket.id), "feedback_notice_new",
                        "new", body=text, unit=unit_names.get(unit_id, ""), deadline=ticket.deadline_on,
                        writer="" if anonymous else member.name)
    # No log line here: its timestamp next to a ticket number would be the precise moment the ticket never keeps.
    return ticket


# --- views (what a ticket looks like to its writer and to the office) ------------------------------------

THREAD_SHOWN = 8
THREAD_EXCERPT = 250
PDCA_EXCERPT = 300


def _thread_items(messages: list[FeedbackMessage], mine: str, names: dict[int, str]) -> list[dict]:
    return [{"mine": m.author == mine, "question": m.kind == "question", "day": m.day,
             "by": names.get(m.staff_member_id, ""), "text": excerpt(m.text, THREAD_EXCERPT)}
            for m in messages[-THREAD_SHOWN:]]


async def writer_view(session: AsyncSession, ticket: FeedbackTicket, lang: str) -> dict:
    """Template parameters of the writer's view: the office appears by its name only."""
    cfg = await load_config(session)
    messages = await thread(session, ticket.id)
    return {"ticket": ticket.id, "category": category_name(cfg, lang, ticket.category),
            "status": status_name(lang, ticket.status), "received": ticket.received_on,
            "anonymous": ticket.anonymous, "body": excerpt(ticket.text),
            "thread": _thread_items(messages, "writer", {}), "earlier": max(0, len(messages) - THREAD_SHOWN),
            "office": office_name(cfg, lang), "rating": ticket.rating}


async def staff_view(session: AsyncSession, ticket: FeedbackTicket, lang: str) -> dict:
    """Template parameters of the office's view; `long` says the whole text must follow as a file."""
    cfg = await load_config(session)
    messages = await thread(session, ticket.id)
    names = await names_of(session, [m.staff_member_id for m in messages] + [ticket.assignee_id])
    body = excerpt(ticket.text)
    return {"ticket": ticket.id, "category": category_name(cfg, lang, ticket.category),
            "status": status_name(lang, ticket.status), "received": ticket.received_on,
            "deadline": ticket.deadline_on, "unit": await shown_unit(session, ticket),
            "writer": await writer_name(session, ticket), "anonymous": ticket.anonymous, "body": body,
            "long": body != ticket.text, "attachment": ticket.attachment_name or "",
            "thread": _thread_items(messages, "office", names), "earlier": max(0, len(messages) - THREAD_SHOWN),
            "assignee": names.get(ticket.assignee_id, ""), "rating": ticket.rating,
            "root_cause": excerpt(ticket.root_cause or "", PDCA_EXCERPT),
            "measure": excerpt(ticket.measure or "", PDCA_EXCERPT), "task": await task_number(session, ticket)}


# --- the writer's side ---------------------------------------------------------------------------------

async def my_tickets(session: AsyncSession, ctx: Context, member: Member) -> list[FeedbackTicket]:
    return await routes.tickets_of(session, ctx, member.id)


async def writer_ticket(session: AsyncSession, ctx: Context, member: Member, ticket_id: str) -> FeedbackTicket:
    """The ticket, if this member wrote it; anyone else is told it does not exist (forged data included)."""
    ticket = await session.get(FeedbackTicket, normalise_id(ticket_id))
    if ticket is None or await routes.writer_id(session, ctx, ticket.id) != member.id:
        raise Refused("feedback_ticket_unknown")
    return ticket


async def thread(session: AsyncSession, ticket_id: str) -> list[FeedbackMessage]:
    return list((await session.execute(
        select(FeedbackMessage).where(FeedbackMessage.ticket_id == ticket_id).order_by(FeedbackMessage.id)
    )).scalars().all())


async def begin_writer_reply(session: AsyncSession, ctx: Context, member: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await writer_ticket(session, ctx, member, ticket_id)
    if ticket.status in CLOSED_STATES:
        raise Refused("feedback_ticket_closed_writer", ticket=ticket.id)
    return ticket


async def writer_message(session: AsyncSession, ctx: Context, member: Member, ticket_id: str,
                         text: str) -> FeedbackTicket:
    """The writer answers in the ticket's thread; the office is told (the assignee, else the inbox)."""
    ticket = await begin_writer_reply(session, ctx, member, ticket_id)
    text = (text or "").strip()
    if not text:
        raise Refused("feedback_need_text")
    cfg = await load_config(session)
    if len(text) > cfg.max_text:
        raise Refused("feedback_text_too_long", max=cfg.max_text)
    session.add(FeedbackMessage(ticket_id=ticket.id, author="writer", kind="text", text=text, day=today(ctx)))
    if ticket.status == ANSWERED:
        ticket.status = ASSIGNED if ticket.assignee_id else OPEN
    _writer_audit(session, ctx, ticket, "feedback.writer_message", member)
    await _notify_staff(session, ctx, ticket, await _handlers_of(session, ticket), "feedback_notice_writer",
                        "writer", body=text)
    return ticket


async def _handlers_of(session: AsyncSession, ticket: FeedbackTicket) -> list[Member]:
    if ticket.assignee_id is not None:
        assignee = await session.get(Member, ticket.assignee_id)
        if assignee is not None and assignee.active and assignee.is_staff:
            return [assignee]
    return await responsible_staff(session, ticket.id)


async def _close(session: AsyncSession, ctx: Context, ticket: FeedbackTicket, status: str) -> None:
    cfg = await load_config(session)
    ticket.status = status
    ticket.closed_on = today(ctx)
    route = await session.get(FeedbackRoute, ticket.id)
    if route is not None:
        route.expires_on = ticket.closed_on + timedelta(days=cfg.route_retention_days)


async def writer_resolve(session: AsyncSession, ctx: Context, member: Member, ticket_id: str) -> FeedbackTicket:
    """The writer says it is solved: the ticket closes as resolved and the office is asked for the PDCA."""
    ticket = await writer_ticket(session, ctx, member, ticket_id)
    if ticket.status not in LIVE_STATES:
        raise Refused("feedback_already_closed", ticket=ticket.id)
    await _close(session, ctx, ticket, RESOLVED)
    _writer_audit(session, ctx, ticket, "feedback.resolved_by_writer", member)
    await _notify_staff(session, ctx, ticket, await _handlers_of(session, ticket), "feedback_notice_resolved",
                        "resolved")
    return ticket


async def writer_reopen(session: AsyncSession, ctx: Context, member: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await writer_ticket(session, ctx, member, ticket_id)
    if ticket.status not in (ANSWERED, *CLOSED_STATES):
        raise Refused("feedback_not_reopenable", ticket=ticket.id)
    ticket.status = ASSIGNED if ticket.assignee_id else OPEN
    ticket.closed_on = None
    route = await session.get(FeedbackRoute, ticket.id)
    if route is not None:
        route.expires_on = None
    _writer_audit(session, ctx, ticket, "feedback.reopened", member)
    await _notify_staff(session, ctx, ticket, await _handlers_of(session, ticket), "feedback_notice_reopened",
                        "reopened")
    return ticket


async def rate(session: AsyncSession, ctx: Context, member: Member, ticket_id: str, stars: int) -> FeedbackTicket:
    ticket = await writer_ticket(session, ctx, member, ticket_id)
    if not 1 <= stars <= 5:
        raise Refused("button_expired")
    if ticket.first_reply_at is None:
        raise Refused("feedback_nothing_to_rate")
    ticket.rating = stars
    _writer_audit(session, ctx, ticket, "feedback.rated", member)
    return ticket


# --- the office's side ---------------------------------------------------------------------------------

async def can_see(session: AsyncSession, staff: Member, ticket: FeedbackTicket) -> bool:
    scope = await members.staff_unit_ids(session, staff)
    if scope is None:
        return True
    return bool(scope & await ticket_unit_ids(session, ticket.id))


async def staff_ticket(session: AsyncSession, staff: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await session.get(FeedbackTicket, normalise_id(ticket_id))
    if ticket is None or not staff.is_staff or not await can_see(session, staff, ticket):
        raise Refused("feedback_ticket_unknown")
    return ticket


async def _live(session: AsyncSession, staff: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await staff_ticket(session, staff, ticket_id)
    if ticket.status not in LIVE_STATES:
        raise Refused("feedback_already_closed", ticket=ticket.id)
    return ticket


async def inbox(session: AsyncSession, ctx: Context, staff: Member, limit: int = 30) -> list[FeedbackTicket]:
    """Live tickets this member may handle, oldest first."""
    stmt = select(FeedbackTicket).where(FeedbackTicket.status.in_(LIVE_STATES))
    scope = await members.staff_unit_ids(session, staff)
    if scope is not None:
        if not scope:
            return []
        stmt = stmt.where(FeedbackTicket.id.in_(
            select(FeedbackTicketUnit.ticket_id).where(FeedbackTicketUnit.unit_id.in_(scope))))
    stmt = stmt.order_by(FeedbackTicket.received_on, FeedbackTicket.id).limit(limit)
    return list((await session.execute(stmt)).scalars().all())


async def shown_unit(session: AsyncSession, ticket: FeedbackTicket) -> str:
    """The writer's unit as secretaries may see it: only when it is big enough (checked again now)."""
    if ticket.unit_id is None:
        return ""
    cfg = await load_config(session)
    if ticket.anonymous and await unit_size(session, ticket.unit_id) < cfg.min_unit_size:
        return ""
    return (await units.names(session, [ticket.unit_id])).get(ticket.unit_id, "")


async def writer_name(session: AsyncSession, ticket: FeedbackTicket) -> str:
    if ticket.anonymous or ticket.writer_member_id is None:
        return ""
    writer = await session.get(Member, ticket.writer_member_id)
    return writer.name if writer else ""


async def names_of(session: AsyncSession, member_ids) -> dict[int, str]:
    """Names of staff members (the office's own people, shown only inside the office)."""
    ids = {i for i in member_ids if i is not None}
    if not ids:
        return {}
    return dict((await session.execute(select(Member.id, Member.name).where(Member.id.in_(ids)))).all())


async def take(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await _live(session, staff, ticket_id)
    ticket.assignee_id = staff.id
    if ticket.status == OPEN:
        ticket.status = ASSIGNED
    audit.record(session, ctx, "feedback.taken", "feedback_ticket", ticket.id, actor_id=staff.id)
    return ticket


async def begin_office_message(session: AsyncSession, staff: Member, ticket_id: str) -> FeedbackTicket:
    return await _live(session, staff, ticket_id)


async def office_message(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str, text: str,
                         question: bool = False) -> FeedbackTicket:
    """A reply or a follow-up question, relayed to the writer signed with the office's name."""
    ticket = await _live(session, staff, ticket_id)
    text = (text or "").strip()
    if not text:
        raise Refused("feedback_need_text")
    cfg = await load_config(session)
    if len(text) > cfg.max_text:
        raise Refused("feedback_text_too_long", max=cfg.max_text)
    now = ctx.now()
    session.add(FeedbackMessage(ticket_id=ticket.id, author="office", kind="question" if question else "reply",
                                staff_member_id=staff.id, text=text, day=today(ctx)))
    if ticket.first_reply_at is None:
        ticket.first_reply_at = now
        ticket.answered_in_time = today(ctx) <= ticket.deadline_on
    if ticket.assignee_id is None:
        ticket.assignee_id = staff.id
    if ticket.status == OPEN:
        ticket.status = ASSIGNED
    audit.record(session, ctx, "feedback.question" if question else "feedback.replied", "feedback_ticket",
                 ticket.id, actor_id=staff.id)
    await _relay(session, ctx, ticket, "feedback_relay_message", body=text, question=question)
    return ticket


async def mark_answered(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await _live(session, staff, ticket_id)
    if ticket.first_reply_at is None:
        raise Refused("feedback_need_first_reply")
    ticket.status = ANSWERED
    audit.record(session, ctx, "feedback.answered", "feedback_ticket", ticket.id, actor_id=staff.id)
    await _relay(session, ctx, ticket, "feedback_relay_answered")
    return ticket


def pdca_required(cfg: FeedbackConfig, ticket: FeedbackTicket) -> bool:
    return ticket.category not in cfg.pdca_optional


async def begin_resolve(session: AsyncSession, staff: Member, ticket_id: str) -> tuple[FeedbackTicket, bool]:
    """Closing as resolved (or recording the PDCA of a ticket the writer resolved): (ticket, required)."""
    ticket = await staff_ticket(session, staff, ticket_id)
    if ticket.status == UNRESOLVED or (ticket.status == RESOLVED and ticket.pdca_done):
        raise Refused("feedback_already_closed", ticket=ticket.id)
    if ticket.status in LIVE_STATES and ticket.first_reply_at is None:
        raise Refused("feedback_need_first_reply")
    cfg = await load_config(session)
    return ticket, pdca_required(cfg, ticket)


async def resolve(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str, *,
                  root_cause: str | None, measure: str | None) -> FeedbackTicket:
    """Close as resolved with the root cause and the improvement measure (the Check and Act of PDCA)."""
    ticket, required = await begin_resolve(session, staff, ticket_id)
    root_cause, measure = (root_cause or "").strip() or None, (measure or "").strip() or None
    if required and not (root_cause and measure):
        raise Refused("feedback_pdca_required")
    if max(len(root_cause or ""), len(measure or "")) > PDCA_MAX:
        raise Refused("feedback_text_too_long", max=PDCA_MAX)
    ticket.root_cause, ticket.measure, ticket.pdca_done = root_cause, measure, True
    if ticket.status in LIVE_STATES:
        await _close(session, ctx, ticket, RESOLVED)
        await _relay(session, ctx, ticket, "feedback_relay_closed", resolved=True)
    audit.record(session, ctx, "feedback.resolved", "feedback_ticket", ticket.id, actor_id=staff.id)
    return ticket


async def close_unresolved(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await _live(session, staff, ticket_id)
    await _close(session, ctx, ticket, UNRESOLVED)
    audit.record(session, ctx, "feedback.closed_unresolved", "feedback_ticket", ticket.id, actor_id=staff.id)
    await _relay(session, ctx, ticket, "feedback_relay_closed", resolved=False)
    return ticket


async def measure_to_task(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str, *,
                          owner_employee_no: str, lead_unit: str, deadline: date | datetime):
    """Turn a ticket's improvement measure into a task on the responsibility list (the Act of PDCA)."""
    ticket = await staff_ticket(session, staff, ticket_id)
    if not ticket.measure:
        raise Refused("feedback_no_measure")
    if ticket.task_id is not None:
        raise Refused("feedback_task_exists", task=await task_number(session, ticket))
    if not tasks_available():
        raise Refused("feedback_task_unavailable")
    from storage.tasks import create_task

    owner = await members.by_employee_no(session, (owner_employee_no or "").strip())
    if owner is None or not owner.active:
        raise Refused("problem_unknown_member", value=owner_employee_no)
    unit = await units.find_any(session, (lead_unit or "").strip())
    if unit is None:
        raise Refused("problem_unknown_unit", value=lead_unit)
    cfg = await load_config(session)
    title = excerpt(ticket.measure, 200)
    description = render(staff.language, "feedback_task_description", ticket=ticket.id,
                         category=category_name(cfg, staff.language, ticket.category),
                         root_cause=ticket.root_cause or "",
                         measure=ticket.measure)
    task = await create_task(session, ctx, title=title, lead_unit_id=unit.id, owner_id=owner.id,
                             deadline=deadline, description=description, source=f"feedback:{ticket.id}",
                             actor_id=staff.id)
    ticket.task_id = task.id
    audit.record(session, ctx, "feedback.task_created", "feedback_ticket", ticket.id, actor_id=staff.id,
                 task_id=task.id)
    return task


async def task_number(session: AsyncSession, ticket: FeedbackTicket) -> str:
    """The responsibility-list number of the task made from the ticket's measure ("" if none)."""
    if ticket.task_id is None or not tasks_available():
        return ""
    from storage.models.tasks import Task

    task = await session.get(Task, ticket.task_id)
    return task.task_no if task is not None else ""


def tasks_available() -> bool:
    """The hook to the responsibility list: True once `storage.tasks.create_task` exists in this build."""
    try:
        from storage import tasks
    except ImportError:
        return False
    return callable(getattr(tasks, "create_task", None))


from storage.feedback_kpi import kpi_figures  # noqa: E402  (re-exported for /kpi)
