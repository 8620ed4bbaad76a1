"""What the scheduler tick wakes up for feedback: the writers' sealed actions, escalations, route expiry, scrubbing private outbox rows,
releasing anonymous writers' audit events, and the monthly "you said, we did" digest. All state is in the
database (ticket columns, the audit queue, digest rows), so a restart or a second replica neither loses nor
repeats anything.
"""
from __future__ import annotations

import logging
import random
from datetime import date, time

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from storage import bulk, calendar, members, outbox, producers
from storage.feedback import pending
from storage.feedback import routes
from storage.feedback import writer
from storage.feedback import config
from storage.feedback import texts as ticket_texts
from storage.feedback import tickets as shared
from storage.context import Context
from storage.errors import Refused
from storage.models.audit import AuditEvent
from storage.feedback.models import LIVE_STATES, RESOLVED, FeedbackAuditQueue, FeedbackDigest, FeedbackTicket
from storage.models.org import Member
from storage.models.outbox import DEAD, SENT, Outbox

log = logging.getLogger(__name__)

DIGEST_AT = time(9, 0)
AUDIT_BATCH = 5000
DIGEST_PER_CATEGORY = 5
DIGEST_MEASURE_CHARS = 200


_shuffle = random.SystemRandom().shuffle


# --- the writers' actions ------------------------------------------------------------------------------

@producers.producer("feedback.apply_pending", vacuum=pending.SEALED_TABLES)
async def apply_pending(session: AsyncSession, ctx: Context) -> int:
    """Every sealed action waiting, applied in this one transaction, writers interleaved at random (each
    checked again; one that no longer holds, say a rating for a ticket closed meanwhile, is dropped), then
    deleted."""
    actions = pending.mixed(await pending.waiting(session, ctx))
    for action in actions:
        member = await session.get(Member, action.member_id)
        apply = writer.APPLY.get(action.kind)
        if member is None or apply is None:
            continue
        # No savepoint per action: on PostgreSQL each would give its rows a transaction id of their own. Every
        # apply_* checks before it writes, so a refusal leaves nothing half-done.
        try:
            await apply(session, ctx, member, action.data)
        except Refused as exc:
            log.info("a queued feedback action no longer applies (%s)", exc.template)
    await pending.remove(session, [a.id for a in actions])
    return len(actions)


# --- escalation ----------------------------------------------------------------------------------------

@producers.producer("feedback.escalate")
async def escalate(session: AsyncSession, ctx: Context) -> int:
    """Tickets past their reply deadline with no first reply go to the admins, once each working day."""
    now = ctx.now()
    day = shared.today(ctx)
    if calendar.is_quiet(now, ctx) or not calendar.is_working_day(day, ctx):
        return 0
    tickets = list((await session.execute(
        select(FeedbackTicket)
        .where(FeedbackTicket.status.in_(LIVE_STATES), FeedbackTicket.first_reply_at.is_(None),
               FeedbackTicket.deadline_on < day,
               or_(FeedbackTicket.escalated_on.is_(None), FeedbackTicket.escalated_on < day))
        .order_by(FeedbackTicket.received_on, FeedbackTicket.id)
        .with_for_update(skip_locked=True)
    )).scalars().all())
    if not tickets:
        return 0
    admins = [a for a in await members.admins(session) if a.chat_id is not None and a.reachable]
    cfg = await config.load_config(session)
    rows = []
    for ticket in tickets:
        ticket.escalated_on = day
        ticket.escalations = (ticket.escalations or 0) + 1
        waited = calendar.working_days_between(ticket.received_on, day, ctx)
        for admin in admins:
            lang = admin.language
            text = render(lang, "feedback_escalation", ticket=ticket.id,
                          category=config.category_name(cfg, lang, ticket.category), received=ticket.received_on,
                          days=waited, count=ticket.escalations, deadline=ticket.deadline_on)
            rows.append(outbox.row(ctx, key=f"feedback:{ticket.id}:escalate:{day.isoformat()}:{admin.id}",
                                   chat_id=admin.chat_id, member_id=admin.id, kind=shared.ESCALATION,
                                   messages=[outbox.message(text, ticket_texts.open_keyboard(lang, ticket.id))]))
    sent = await outbox.enqueue_many(session, rows)
    log.info("feedback: %d ticket(s) escalated", len(tickets))
    return sent


# --- anonymity housekeeping ----------------------------------------------------------------------------

@producers.producer("feedback.routes")
async def expire_routes(session: AsyncSession, ctx: Context) -> int:
    """Routes of tickets closed longer than the retention are deleted for good."""
    count = await routes.expire(session, shared.today(ctx))
    if count:
        log.info("feedback: %d reply route(s) expired", count)
    return count


@producers.producer("feedback.scrub")
async def scrub_outbox(session: AsyncSession, ctx: Context) -> int:
    """Delete sent (or given-up) private rows: a relay row holds the writer's chat id, a notice the moment
    the writer acted. Their state lives in the feedback tables, so nothing is re-enqueued."""
    result = await session.execute(
        delete(Outbox).where(Outbox.kind.in_(shared.PRIVATE_KINDS), Outbox.status.in_((SENT, DEAD))))
    return result.rowcount or 0


@producers.producer("feedback.audit")
async def release_audit(session: AsyncSession, ctx: Context) -> int:
    """Move the anonymous writers' actions of past days into the audit trail: shuffled, no actor, at the
    local midnight of their day, so neither their time nor their neighbours in the trail say anything."""
    queued = list((await session.execute(
        select(FeedbackAuditQueue).where(FeedbackAuditQueue.day < shared.today(ctx))
        .order_by(FeedbackAuditQueue.id).limit(AUDIT_BATCH).with_for_update(skip_locked=True)
    )).scalars().all())
    if not queued:
        return 0
    _shuffle(queued)
    session.add_all([AuditEvent(at=shared.midnight(ctx, q.day), actor_member_id=None, action=q.action,
                                object_type="feedback_ticket", object_id=q.ticket_id, detail=None) for q in queued])
    await session.execute(delete(FeedbackAuditQueue).where(FeedbackAuditQueue.id.in_([q.id for q in queued])))
    return len(queued)


# --- the monthly digest --------------------------------------------------------------------------------

def previous_month(day: date) -> tuple[str, date, date]:
    first = day.replace(day=1)
    start = (first.replace(year=first.year - 1, month=12) if first.month == 1
             else first.replace(month=first.month - 1))
    return start.strftime("%Y-%m"), start, first


async def digest_groups(session: AsyncSession, ctx: Context, lang: str, start: date, end: date,
                        per_category: int = DIGEST_PER_CATEGORY) -> list[dict]:
    """Resolved tickets closed in [start, end) by category: counts and improvement measures only."""
    cfg = await config.load_config(session)
    tickets = (await session.execute(
        select(FeedbackTicket.category, FeedbackTicket.measure)
        .where(FeedbackTicket.status == RESOLVED, FeedbackTicket.closed_on >= start, FeedbackTicket.closed_on < end)
        .order_by(FeedbackTicket.closed_on, FeedbackTicket.id)
    )).all()
    groups: dict[str, dict] = {}
    for category, measure in tickets:
        group = groups.setdefault(category, {"name": config.category_name(cfg, lang, category), "count": 0,
                                             "measures": [], "more": 0})
        group["count"] += 1
        if measure:
            text = ticket_texts.excerpt(measure, DIGEST_MEASURE_CHARS)
            if text in group["measures"]:
                continue
            if len(group["measures"]) < per_category:
                group["measures"].append(text)
            else:
                group["more"] += 1
    order = {c: i for i, c in enumerate(cfg.categories)}
    return [groups[c] for c in sorted(groups, key=lambda c: (order.get(c, len(order)), c))]


@producers.producer("feedback.digest")
async def monthly_digest(session: AsyncSession, ctx: Context) -> int:
    """From 09:00 on the first of a month: last month's digest to every member, once (a row claims it)."""
    local = ctx.local_now()
    if local.time() < DIGEST_AT or calendar.is_quiet(ctx.now(), ctx):
        return 0
    period, start, end = previous_month(local.date())
    if await session.get(FeedbackDigest, period) is not None:
        return 0
    claim = await session.execute(
        bulk.dialect_insert(session)(FeedbackDigest)
        .values(period=period, tickets=0, recipients=0, queued_at=ctx.now())
        .on_conflict_do_nothing(index_elements=["period"]))
    if not claim.rowcount:
        return 0  # another replica has it
    texts: dict[str, str | None] = {}
    total = 0
    for lang in ("zh", "en"):
        texts[lang], total = await _digest_text(session, ctx, lang, period, start, end)
    digest = await session.get(FeedbackDigest, period)
    digest.tickets = total
    if not total:
        return 0
    recipients = (await session.execute(
        select(Member).where(Member.active.is_(True), Member.reachable.is_(True), Member.chat_id.is_not(None))
        .order_by(Member.id)
    )).scalars().all()
    rows = [outbox.row(ctx, key=f"feedback:digest:{period}:{m.id}", chat_id=m.chat_id, member_id=m.id,
                       kind=shared.DIGEST, messages=[outbox.message(texts.get(m.language) or texts["zh"])])
            for m in recipients]
    digest.recipients = len(rows)
    return await outbox.enqueue_many(session, rows)


async def _digest_text(session: AsyncSession, ctx: Context, lang: str, period: str, start: date,
                       end: date) -> tuple[str | None, int]:
    """The digest in one language, with fewer measures per category until it fits one message."""
    for per_category in range(DIGEST_PER_CATEGORY, -1, -1):
        groups = await digest_groups(session, ctx, lang, start, end, per_category)
        total = sum(g["count"] for g in groups)
        if not total:
            return None, 0
        text = render(lang, "feedback_digest", period=period, groups=groups, total=total)
        if len(text) <= ticket_texts.MESSAGE_LIMIT:
            return text, total
    return text, total
