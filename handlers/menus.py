"""Keeps each member's command menu matching their roles after the roles change (through the outbox)."""
from __future__ import annotations

from handlers.commands import menu
from storage import members, outbox


async def enqueue_menus(session, ctx, member_ids) -> int:
    count = 0
    stamp = ctx.now().strftime("%Y%m%d%H%M%S%f")
    for m in await members.by_ids(session, member_ids):
        if m.chat_id is None:
            continue
        count += await outbox.to_member(session, ctx, m, key=f"menu:{m.id}:{m.roles}:{stamp}",
                                        messages=[outbox.commands_menu(m.chat_id, menu(m))], kind="menu")
    return count
