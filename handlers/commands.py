"""The chat commands, who may use them, and each member's command menu (setMyCommands per chat)."""
from __future__ import annotations

from messages import render
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
    ("newtask", STAFF),
    ("canceltask", STAFF),
    ("importtasks", STAFF),
    ("newsurvey", STAFF),
    ("results", STAFF),
    ("newlesson", STAFF),
    ("newreception", STAFF),
    ("roster", ADMIN),
]
ROLES_OF = dict(COMMANDS)


def allowed(member: Member, command: str) -> bool:
    roles = ROLES_OF.get(command)
    return roles is not None and member.has_role(*roles)


def menu(member: Member) -> list[tuple[str, str]]:
    """(command, description) pairs this member may use, in their language."""
    return [(c, render(member.language, "command_description", command=c))
            for c, _ in COMMANDS if allowed(member, c)]
