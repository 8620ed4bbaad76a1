"""The multi-step chat flows of feedback, kept in the dialog row so a restart resumes them.

A writer's dialog row names the member, so what it holds (the draft text, the ticket being answered) is
sealed with TONGXIN_SECRET: the row never pairs a member with a ticket or a text in the clear. The office's
flows (reply, PDCA, measure to task) are staff actions and stay readable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage import calendar, dialogs, picker, units
from storage.feedback import config, office, routes, texts, tickets, views, writer
from storage.context import Context
from storage.errors import Refused
from storage.models.dialogs import Dialog
from storage.feedback.models import FeedbackTicket
from storage.models.org import Member
from storage.tabular import parse_datetime

DRAFT, THREAD = "feedback", "feedback_thread"
OFFICE, PDCA, TASK, CLOSE = "inbox_reply", "inbox_pdca", "inbox_task", "inbox_close"


# --- the writer's draft --------------------------------------------------------------------------------

async def draft_start(session: AsyncSession, ctx: Context, member: Member, category: str) -> None:
    cfg = await writer.start(session, ctx, member)
    if category not in cfg.categories:
        raise Refused("feedback_unknown_category")
    sealed = routes.seal_draft(ctx, member.id, {"category": category})
    await dialogs.start(session, ctx, member.id, DRAFT, "text", sealed)


def draft_of(ctx: Context, member: Member, dialog: Dialog | None) -> dict:
    if dialog is None or dialog.kind != DRAFT:
        return {}
    return routes.open_draft(ctx, member.id, dialog.data)


async def draft_input(session: AsyncSession, ctx: Context, member: Member, dialog: Dialog, *, text: str,
                      attachment: dict | None) -> dict:
    """Take a text and/or an attachment into the draft; the latest of each wins. Returns the draft."""
    draft = draft_of(ctx, member, dialog)
    if not draft.get("category"):
        await dialogs.clear(session, member.id)
        raise Refused("button_expired")
    text = (text or "").strip()
    cfg = await config.load_config(session)
    if len(text) > cfg.max_text:
        raise Refused("feedback_text_too_long", max=cfg.max_text)
    if text:
        draft["text"] = text
    if attachment:
        draft["attachment"] = attachment
    await dialogs.advance(session, ctx, dialog, "confirm" if draft.get("text") else "text",
                          **routes.seal_draft(ctx, member.id, draft))
    return draft


async def confirmation(session: AsyncSession, member: Member, draft: dict, lang: str) -> dict:
    """What the confirm step shows: the draft, and the department the writer may choose to show (only when
    it has at least `min_unit_size` members; otherwise the reason it is not offered)."""
    cfg = await config.load_config(session)
    offer = await writer.unit_offer(session, member)
    attachment = draft.get("attachment") or {}
    return {"category": config.category_name(cfg, lang, draft["category"]), "body": texts.excerpt(draft["text"]),
            "length": len(draft["text"]), "attachment": attachment.get("name", ""),
            "unit": (await units.names(session, [offer])).get(offer, "") if offer else "",
            "min_unit_size": cfg.min_unit_size, "has_unit": member.unit_id is not None}


async def draft_submit(session: AsyncSession, ctx: Context, member: Member, anonymous: bool,
                       show_unit: bool = False) -> FeedbackTicket:
    """The confirm press. The draft row is locked: a double tap (or two replicas) submits it once, the
    second press finds it gone."""
    dialog = await session.get(Dialog, member.id, with_for_update=True)
    draft = draft_of(ctx, member, dialog)
    if not draft.get("text"):
        raise Refused("button_expired")
    if show_unit and await writer.unit_offer(session, member) is None:
        raise Refused("button_expired")  # offered only where the department is big enough (a forged press)
    ticket = await writer.submit(session, ctx, member, category=draft["category"], text=draft["text"],
                                 anonymous=anonymous, attachment=draft.get("attachment"), show_unit=show_unit)
    await dialogs.clear(session, member.id)
    return ticket


async def draft_cancel(session: AsyncSession, member: Member) -> None:
    await dialogs.clear(session, member.id)


# --- the writer answers in a thread --------------------------------------------------------------------

async def thread_start(session: AsyncSession, ctx: Context, member: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await writer.begin_writer_reply(session, ctx, member, ticket_id)
    await dialogs.start(session, ctx, member.id, THREAD, "text", routes.seal_draft(ctx, member.id, {"t": ticket.id}))
    return ticket


async def thread_input(session: AsyncSession, ctx: Context, member: Member, dialog: Dialog,
                       text: str, with_attachment: bool = False) -> FeedbackTicket:
    ticket_id = routes.open_draft(ctx, member.id, dialog.data).get("t")
    if not ticket_id:
        await dialogs.clear(session, member.id)
        raise Refused("button_expired")
    if with_attachment:
        raise Refused("feedback_thread_text_only")  # a thread carries text; nothing is dropped silently
    if not (text or "").strip():
        raise Refused("feedback_need_text")
    ticket = await writer.writer_message(session, ctx, member, ticket_id, text)
    await dialogs.clear(session, member.id)
    return ticket


# --- the office: reply or ask --------------------------------------------------------------------------

async def office_start(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str,
                       question: bool) -> FeedbackTicket:
    ticket = await office.begin_office_message(session, staff, ticket_id)
    await dialogs.start(session, ctx, staff.id, OFFICE, "text", {"t": ticket.id, "q": question})
    return ticket


async def office_input(session: AsyncSession, ctx: Context, staff: Member, dialog: Dialog,
                       text: str) -> tuple[FeedbackTicket, bool]:
    question = bool(dialog.data.get("q"))
    ticket = await office.office_message(session, ctx, staff, dialog.data.get("t", ""), text, question=question)
    await dialogs.clear(session, staff.id)
    return ticket, question


# --- the office: close unresolved, with a reason and a confirmation ------------------------------------

async def close_start(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str) -> FeedbackTicket:
    ticket = await office.begin_close(session, staff, ticket_id)
    await dialogs.start(session, ctx, staff.id, CLOSE, "reason", {"t": ticket.id})
    return ticket


async def close_input(session: AsyncSession, ctx: Context, staff: Member, dialog: Dialog,
                      text: str | None) -> tuple[FeedbackTicket, str]:
    """The typed reason; the staff member then confirms it with a button (`close_confirm`)."""
    ticket = await office.begin_close(session, staff, dialog.data.get("t", ""))
    reason = office.close_reason(text)
    await dialogs.advance(session, ctx, dialog, "confirm", reason=reason)
    return ticket, reason


async def close_confirm(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str) -> FeedbackTicket:
    dialog = await dialogs.get(session, staff.id)
    if (dialog is None or dialog.kind != CLOSE or dialog.step != "confirm"
            or dialog.data.get("t") != tickets.normalise_id(ticket_id)):
        raise Refused("button_expired")
    ticket = await office.close_unresolved(session, ctx, staff, ticket_id, dialog.data.get("reason", ""))
    await dialogs.clear(session, staff.id)
    return ticket


async def close_cancel(session: AsyncSession, staff: Member) -> None:
    dialog = await dialogs.get(session, staff.id)
    if dialog is not None and dialog.kind == CLOSE:
        await dialogs.clear(session, staff.id)


# --- the office: close as resolved with root cause and measure -----------------------------------------

@dataclass
class Step:
    """Where a PDCA or task flow stands after an input: the next prompt, or done with the ticket."""

    ticket: FeedbackTicket
    next: str | None  # the step now expected, None when the flow is finished
    optional: bool = False
    task: object | None = None


async def pdca_start(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str) -> Step:
    ticket, required = await office.begin_resolve(session, staff, ticket_id)
    await dialogs.start(session, ctx, staff.id, PDCA, "cause", {"t": ticket.id, "required": required})
    return Step(ticket, "cause", optional=not required)


async def pdca_input(session: AsyncSession, ctx: Context, staff: Member, dialog: Dialog,
                     text: str | None) -> Step:
    """`text` None means "skip" (only where the PDCA is optional)."""
    data = dialog.data
    ticket, required = await office.begin_resolve(session, staff, data.get("t", ""))
    text = (text or "").strip()
    if required and not text:
        raise Refused("feedback_pdca_required")
    if len(text) > office.PDCA_MAX:
        raise Refused("feedback_text_too_long", max=office.PDCA_MAX)
    if dialog.step == "cause":
        await dialogs.advance(session, ctx, dialog, "measure", cause=text)
        return Step(ticket, "measure", optional=not required)
    ticket = await office.resolve(session, ctx, staff, ticket.id, root_cause=data.get("cause"), measure=text)
    await dialogs.clear(session, staff.id)
    return Step(ticket, None)


async def pdca_dialog(session: AsyncSession, staff: Member, ticket_id: str) -> Dialog:
    """The staff member's PDCA dialog for this ticket (a skip press for another ticket is stale)."""
    dialog = await dialogs.get(session, staff.id)
    if dialog is None or dialog.kind != PDCA or dialog.data.get("t") != tickets.normalise_id(ticket_id):
        raise Refused("button_expired")
    return dialog


# --- the office: improvement measure to a task ---------------------------------------------------------

async def task_start(session: AsyncSession, ctx: Context, staff: Member, ticket_id: str) -> Step:
    ticket = await office.staff_ticket(session, staff, ticket_id)
    if not ticket.measure:
        raise Refused("feedback_no_measure")
    if ticket.task_id is not None:
        raise Refused("feedback_task_exists", task=await views.task_number(session, ticket))
    if not views.tasks_available():
        raise Refused("feedback_task_unavailable")
    await dialogs.start(session, ctx, staff.id, TASK, "owner", {"t": ticket.id})
    return Step(ticket, "owner")


async def task_input(session: AsyncSession, ctx: Context, staff: Member, dialog: Dialog, text: str) -> Step:
    """Owner (employee number), then lead unit, then deadline; each checked as it comes."""
    data, text = dialog.data, (text or "").strip()
    ticket = await office.staff_ticket(session, staff, data.get("t", ""))
    if dialog.step == "owner":
        owner = await picker.resolve_member(session, staff.language, text, "owner")
        await dialogs.advance(session, ctx, dialog, "unit", owner=owner.employee_no)
        return Step(ticket, "unit")
    if dialog.step == "unit":
        if await units.find_any(session, text) is None:
            raise Refused("problem_unknown_unit", value=text)
        await dialogs.advance(session, ctx, dialog, "deadline", unit=text)
        return Step(ticket, "deadline")
    deadline = deadline_from(ctx, text)
    task = await office.measure_to_task(session, ctx, staff, ticket.id, owner_employee_no=data.get("owner", ""),
                                    lead_unit=data.get("unit", ""), deadline=deadline)
    await dialogs.clear(session, staff.id)
    return Step(ticket, None, task=task)


def deadline_from(ctx: Context, text: str) -> date | datetime:
    """A date (the task is due at the end of that day) or, when a time is given, that local moment."""
    parsed = parse_datetime(text)
    if parsed is None:
        raise Refused("problem_bad_date", column="deadline", value=text)
    day, at = parsed
    if at is None:
        if day < ctx.local_now().date():
            raise Refused("feedback_deadline_past", value=text)
        return day
    moment = calendar.at_local(day, at, ctx)
    if moment <= ctx.now():
        raise Refused("feedback_deadline_past", value=text)
    return moment
