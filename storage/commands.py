"""The chat commands, who may use them, and each member's command menu (setMyCommands per chat).

Below handlers so that the CLI (roster import changes roles) can queue the menus too."""
from __future__ import annotations

from messages import render
from storage import members, outbox
from storage.models.org import Member

EVERYONE = ("employee", "secretary", "admin", "leader")
STAFF = ("secretary", "admin")
ADMIN = ("admin",)

# (command, roles that may use it). `/start` is for everyone, registered or not.
COMMANDS: list[tuple[str, tuple[str, ...]]] = [
    ("help", EVERYONE),
    ("tasks", EVERYONE),
    ("lessons", EVERYONE),
    ("surveys", EVERYONE),
    ("feedback", EVERYONE),
    ("mytickets", EVERYONE),
    ("reception", EVERYONE),
    ("mybookings", EVERYONE),
    ("cancel", EVERYONE),
    ("inbox", STAFF),
    ("overdue", STAFF),
    ("kpi", STAFF),
    ("targets", STAFF),
    ("newtask", STAFF),
    ("canceltask", STAFF),
    ("importtasks", STAFF),
    ("newsurvey", STAFF),
    ("results", STAFF),
    ("newlesson", STAFF),
    ("newreception", STAFF),
    ("newmeeting", STAFF), ("orglife", STAFF), ("checkin", EVERYONE),
    ("roster", ADMIN),
    ("member", STAFF),
    ("template", STAFF),
]
ROLES_OF = dict(COMMANDS)


def allowed(member: Member, command: str) -> bool:
    roles = ROLES_OF.get(command)
    return roles is not None and member.has_role(*roles)


def menu(member: Member) -> list[tuple[str, str]]:
    """(command, description) pairs this member may use, in their language."""
    return [(c, render(member.language, "command_description", command=c))
            for c, _ in COMMANDS if allowed(member, c)]


async def enqueue_menus(session, ctx, member_ids) -> int:
    """Queue each member's command menu again (after their roles changed), through the outbox."""
    count = 0
    stamp = ctx.now().strftime("%Y%m%d%H%M%S%f")
    for m in await members.by_ids(session, member_ids):
        if m.chat_id is None:
            continue
        count += await outbox.to_member(session, ctx, m, key=f"menu:{m.id}:{m.roles}:{stamp}",
                                        messages=[outbox.commands_menu(m.chat_id, menu(m))], kind="menu")
    return count
