"""What a ticket looks like to its writer and to the office, as template parameters. The writer sees the
office by its name only; the office sees an anonymous writer's unit only when it is big enough, and the
writer's name only on a ticket they signed. Every quoted text is an excerpt, so a view fits one message.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import tasks, units
from storage.feedback.config import category_name, load_config, office_name, status_name
from storage.feedback.texts import excerpt
from storage.feedback.tickets import has_answer, unit_size
from storage.feedback.models import FeedbackMessage, FeedbackTicket
from storage.models.org import Member

THREAD_SHOWN = 8
THREAD_EXCERPT = 250
PDCA_EXCERPT = 300


async def thread(session: AsyncSession, ticket_id: str) -> list[FeedbackMessage]:
    return list((await session.execute(
        select(FeedbackMessage).where(FeedbackMessage.ticket_id == ticket_id).order_by(FeedbackMessage.id)
    )).scalars().all())


async def shown_unit(session: AsyncSession, ticket: FeedbackTicket) -> str:
    """The writer's unit as secretaries may see it: only when it is big enough (checked again now)."""
    if ticket.unit_id is None:
        return ""
    cfg = await load_config(session)
    if ticket.anonymous and await unit_size(session, ticket.unit_id) < cfg.min_unit_size:
        return ""
    return (await units.names(session, [ticket.unit_id])).get(ticket.unit_id, "")


async def disclosure(session: AsyncSession, ticket: FeedbackTicket) -> dict:
    """Who the office sees behind a ticket: the writer's name (signed) and the department (signed, or
    anonymous when the writer chose to show it). The staff view, the notice and what the writer is told on
    submitting are all rendered from this one answer."""
    return {"unit": await shown_unit(session, ticket), "writer": await writer_name(session, ticket)}


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


def tasks_available() -> bool:
    """The hook to the responsibility list: True while `storage.tasks` offers `create_task`."""
    return callable(getattr(tasks, "create_task", None))


async def task_number(session: AsyncSession, ticket: FeedbackTicket) -> str:
    """The responsibility-list number of the task made from the ticket's measure ("" if none)."""
    if ticket.task_id is None or not tasks_available():
        return ""
    task = await session.get(tasks.Task, ticket.task_id)
    return task.task_no if task is not None else ""


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
            "office": office_name(cfg, lang), "rating": ticket.rating,
            "rateable": await has_answer(session, ticket)}


async def staff_view(session: AsyncSession, ticket: FeedbackTicket, lang: str) -> dict:
    """Template parameters of the office's view; `long` says the whole text must follow as a file."""
    cfg = await load_config(session)
    messages = await thread(session, ticket.id)
    names = await names_of(session, [m.staff_member_id for m in messages] + [ticket.assignee_id])
    body = excerpt(ticket.text)
    return {"ticket": ticket.id, "category": category_name(cfg, lang, ticket.category),
            "status": status_name(lang, ticket.status), "received": ticket.received_on,
            "deadline": ticket.deadline_on, **await disclosure(session, ticket), "anonymous": ticket.anonymous,
            "body": body,
            "long": body != ticket.text, "attachment": ticket.attachment_name or "",
            "thread": _thread_items(messages, "office", names), "earlier": max(0, len(messages) - THREAD_SHOWN),
            "assignee": names.get(ticket.assignee_id, ""), "rating": ticket.rating,
            "root_cause": excerpt(ticket.root_cause or "", PDCA_EXCERPT),
            "close_reason": excerpt(ticket.close_reason or "", PDCA_EXCERPT),
            "measure": excerpt(ticket.measure or "", PDCA_EXCERPT), "task": await task_number(session, ticket)}


async def inbox_items(session: AsyncSession, tickets: list[FeedbackTicket], lang: str, today: date) -> list[dict]:
    """Lines of /inbox: age in days, and whether the first reply is overdue."""
    cfg = await load_config(session)
    return [{"id": t.id, "category": category_name(cfg, lang, t.category), "status": status_name(lang, t.status),
             "age": (today - t.received_on).days, "overdue": t.first_reply_at is None and t.deadline_on < today}
            for t in tickets]


async def mytickets_items(session: AsyncSession, tickets: list[FeedbackTicket], lang: str) -> list[dict]:
    """Lines of /mytickets."""
    cfg = await load_config(session)
    return [{"id": t.id, "category": category_name(cfg, lang, t.category), "status": status_name(lang, t.status),
             "received": t.received_on, "anonymous": t.anonymous} for t in tickets]
