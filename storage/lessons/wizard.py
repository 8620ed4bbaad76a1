"""/newlesson for a secretary: the text (or `.md` file), the audience and the time with buttons, a preview,
then publish. The place in the flow is a dialog row, so a restart resumes it.

A secretary publishes to the units they answer for; admins to anyone (`party`, `all`, any unit).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage import audiences, calendar, dialogs, members, units
from storage.lessons import rules as lessons
from storage.context import Context
from storage.errors import Refused
from storage.lessons.markdown import decode, from_entities, parse
from storage.models.dialogs import Dialog
from storage.lessons.models import Lesson
from storage.models.org import Member

KIND = "lesson_new"
TEXT, AUDIENCE, TIME, DUE, PREVIEW = "text", "audience", "time", "due", "preview"
TIME_CHOICES = ("now", "tonight", "tomorrow", "monday")
DUE_CHOICES = ("none", "3", "7", "14")
MAX_FILE_BYTES = 1024 * 1024
LESSON_SUFFIXES = (".md", ".markdown", ".txt")


@dataclass
class Preview:
    title: str
    parts: list[str]
    audience: str
    size: int
    publish_at: datetime  # local
    due_on: date | None
    questions: int
    min_read: int
    delivers: datetime | None = None  # local: when quiet hours hold the push past `publish_at`


async def begin_new(session: AsyncSession, ctx: Context, member: Member) -> None:
    await dialogs.start(session, ctx, member.id, KIND, TEXT, {})


async def current(session: AsyncSession, member: Member, step: str | None = None) -> Dialog:
    """The member's /newlesson dialog (at `step` when given); a stale button is refused."""
    dialog = await dialogs.get(session, member.id)
    if dialog is None or dialog.kind != KIND or (step is not None and dialog.step != step):
        raise Refused("lesson_wizard_expired")
    return dialog


async def audience_choices(session: AsyncSession, member: Member) -> list[tuple[str, str]]:
    """(audience, label kind) offered as buttons: the member's branch and department; admins also more."""
    out: list[tuple[str, str]] = []
    named = await units.names(session, {u for u in (member.branch_id, member.unit_id) if u is not None})
    if member.branch_id in named:
        out.append((f"branch:{named[member.branch_id]}", "branch"))
    if member.unit_id in named:
        out.append((f"unit:{named[member.unit_id]}", "unit"))
    if member.has_role("admin"):
        out += [("party", "party"), ("all", "all")]
    return out


async def check_scope(session: AsyncSession, member: Member, audience: str) -> str:
    """The audience normalised; a secretary may only reach the units they answer for."""
    audience = await audiences.validate(session, audience)
    scope = await members.staff_unit_ids(session, member)
    if scope is None:
        return audience
    for key, value in audiences.parse(audience):
        if key not in ("unit", "branch"):
            raise Refused("lesson_audience_scope", term=key)
        unit = await units.by_name(session, "department" if key == "unit" else "branch", value)
        if unit is None or unit.id not in scope:
            raise Refused("lesson_audience_scope", term=f"{key}:{value}")
    return audience


def check_upload(name: str | None, size: int | None) -> None:
    """Refuse what cannot be a lesson before downloading it."""
    if not (name or "").lower().endswith(LESSON_SUFFIXES):
        raise Refused("lesson_file_type", name=name or "")
    if size and size > MAX_FILE_BYTES:
        raise Refused("lesson_file_too_big")


async def got_text(session: AsyncSession, ctx: Context, member: Member, dialog: Dialog, *, text: str | None = None,
                   entities: list[tuple[str, int, int, str | None]] | None = None,
                   data: bytes | None = None) -> list[tuple[str, str]]:
    """The lesson text (with the formatting Telegram turned into entities put back as Markdown) or file;
    refused with line numbers when it is not a lesson. Returns the audience choices."""
    if data is not None:
        if len(data) > MAX_FILE_BYTES:
            raise Refused("lesson_file_too_big")
        text = decode(data)
    else:
        text = from_entities(text or "", entities or [])
    parsed = parse(text or "")
    await dialogs.advance(session, ctx, dialog, AUDIENCE, source=text, title=parsed.title)
    return await audience_choices(session, member)


async def choose_audience(session: AsyncSession, ctx: Context, member: Member, dialog: Dialog, *,
                          index: int | None = None, typed: str | None = None) -> tuple[str, int]:
    if index is not None:
        choices = await audience_choices(session, member)
        if not 0 <= index < len(choices):
            raise Refused("lesson_wizard_expired")
        typed = choices[index][0]
    audience = await check_scope(session, member, typed or "")
    size = await lessons.audience_size(session, audience)
    if size == 0:
        raise Refused("lesson_audience_empty", audience=audience)
    await dialogs.advance(session, ctx, dialog, TIME, audience=audience)
    return audience, size


def _time_choice(choice: str, ctx: Context) -> datetime:
    local = ctx.local_now()
    if choice == "now":
        return ctx.now()
    if choice == "tonight":
        return calendar.at_local(local.date(), time(20), ctx)
    if choice == "tomorrow":
        return calendar.at_local(local.date() + timedelta(days=1), lessons.DEFAULT_HOUR, ctx)
    if choice == "monday":
        days = (7 - local.weekday()) or 7
        return calendar.at_local(local.date() + timedelta(days=days), lessons.DEFAULT_HOUR, ctx)
    raise Refused("lesson_wizard_expired")


def time_choices(ctx: Context) -> list[str]:
    """Tonight is offered only while it is still ahead."""
    return [c for c in TIME_CHOICES if c != "tonight" or ctx.local_now().hour < 20]


async def choose_time(session: AsyncSession, ctx: Context, dialog: Dialog, *, choice: str | None = None,
                      typed: str | None = None) -> datetime:
    at = _time_choice(choice, ctx) if choice else lessons.parse_when(typed or "", ctx)
    if at < ctx.now() - timedelta(minutes=1):
        raise Refused("lesson_at_past", at=calendar.local(at, ctx))
    await dialogs.advance(session, ctx, dialog, DUE, publish_at=at.isoformat())
    return at


async def choose_due(session: AsyncSession, ctx: Context, member: Member, dialog: Dialog, *,
                     choice: str | None = None, typed: str | None = None) -> Preview:
    publish_at = datetime.fromisoformat(dialog.data["publish_at"])
    if choice is not None:
        if choice not in DUE_CHOICES:
            raise Refused("lesson_wizard_expired")
        due = None if choice == "none" else calendar.local(publish_at, ctx).date() + timedelta(days=int(choice))
    else:
        due = lessons.parse_due(typed or "")
    if due is not None and due < calendar.local(publish_at, ctx).date():
        raise Refused("lesson_due_before", due=due, at=calendar.local(publish_at, ctx))
    await dialogs.advance(session, ctx, dialog, PREVIEW, due_on=due.isoformat() if due else None)
    return await preview(session, ctx, member, dialog)


async def preview(session: AsyncSession, ctx: Context, member: Member, dialog: Dialog) -> Preview:
    """The lesson exactly as members will get it, with what publishing would do."""
    parsed = parse(dialog.data["source"])
    due = date.fromisoformat(dialog.data["due_on"]) if dialog.data.get("due_on") else None
    min_read = lessons.default_min_read(parsed)
    draft = Lesson(title=parsed.title, body=parsed.body, quiz=parsed.quiz, due_on=due, min_read_seconds=min_read)
    publish_at = datetime.fromisoformat(dialog.data["publish_at"])
    return Preview(parsed.title, lessons.lesson_parts(draft, member.language), dialog.data["audience"],
                   await lessons.audience_size(session, dialog.data["audience"]), calendar.local(publish_at, ctx),
                   due, len(parsed.quiz), min_read, calendar.delivery_note(publish_at, ctx))


async def publish_new(session: AsyncSession, ctx: Context, member: Member) -> Lesson:
    dialog = await current(session, member, PREVIEW)
    data = dialog.data
    publish_at = datetime.fromisoformat(data["publish_at"])
    if publish_at < ctx.now():
        publish_at = ctx.now()  # "now" chosen a minute ago is still now
    audience = await check_scope(session, member, data["audience"])
    lesson = await lessons.create(session, ctx, parse(data["source"]), audience=audience, publish_at=publish_at,
                                  due_on=date.fromisoformat(data["due_on"]) if data.get("due_on") else None,
                                  author_id=member.id)
    await dialogs.clear(session, member.id)
    return lesson
