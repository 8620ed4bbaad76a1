"""The weekly early warning: on Monday from 09:00 local (never in quiet hours), each secretary is told which
targets of their units are off track: behind their trajectory (figure, target, where it should be, the gap),
or worse than the 30 days before by more than their margin (figure, before, the change; `slips.py`);
admins get the whole organisation's list. Claimed once a week in the settings table, and keyed per person
and week in the outbox."""
from __future__ import annotations

from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import render
from messages.buttons import Prefix, button
from storage import bulk, calendar, members, outbox, producers
from storage.context import Context
from storage.models.org import Member
from storage.models.settings import Setting
from storage.targets.rules import standings
from storage.targets.slips import slipping
from storage.targets.views import slip_view, standing_view

WARN_AT = time(9, 0)
BUTTONS = 5  # a corrective-measure button for each of the first few off-track targets


def week_of(day) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


async def _claim(session: AsyncSession, key: str, value: str) -> bool:
    stmt = bulk.dialect_insert(session)(Setting).values(key=key, value=value).on_conflict_do_nothing(
        index_elements=["key"])
    return ((await session.execute(stmt)).rowcount or 0) > 0


@producers.producer("targets.warnings")
async def produce_warnings(session: AsyncSession, ctx: Context) -> int:
    """Monday 09:00 onwards, once a week: the off-track targets of each secretary's units, and all for admins."""
    now = ctx.now()
    local_now = calendar.local(now, ctx)
    if local_now.weekday() != 0 or local_now.time() < WARN_AT or calendar.is_quiet(now, ctx):
        return 0
    week = week_of(local_now.date())
    if await session.get(Setting, f"targets.warnings:{week}") is not None:
        return 0
    everyone = await standings(session, ctx, None)
    slipped = await slipping(session, ctx, everyone)
    # Claimed only when there is something to say, so a target set later on Monday still warns that week.
    if not (slipped or any(s.on_track is False for s in everyone)) or not await _claim(
            session, f"targets.warnings:{week}", now.isoformat()):
        return 0
    readers = [m for m in (await session.execute(
        select(Member).where(Member.active.is_(True), Member.chat_id.is_not(None), Member.reachable.is_(True))
        .order_by(Member.id))).scalars() if m.has_role("secretary") or m.has_role("admin")]
    rows = []
    for person in readers:
        scope = await members.staff_unit_ids(session, person)
        def mine(s) -> bool:
            return scope is None or (s.target.unit_id is not None and s.target.unit_id in scope)

        behind = [s for s in everyone if s.on_track is False and mine(s)]
        worse = [w for w in slipped if mine(w.standing)]
        if not behind and not worse:
            continue
        lang = person.language
        text = render(lang, "targets_warning", week=week, monday=local_now.date(), whole=scope is None,
                      items=[standing_view(s, lang) for s in behind], worse=[slip_view(w, lang) for w in worse])
        off = list({s.target.id: s for s in behind + [w.standing for w in worse]}.values())
        keyboard = [[button(render(lang, "targets_task_button", name=s.measure.name(lang), unit=s.unit),
                            Prefix.TARGET, s.target.id, "task")] for s in off[:BUTTONS]]
        rows.append(outbox.row(ctx, key=f"targets:warning:{week}:m{person.id}", chat_id=person.chat_id,
                               member_id=person.id, kind="targets.warning",
                               messages=[outbox.message(text, keyboard)]))
    return await outbox.enqueue_many(session, rows)
