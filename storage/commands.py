"""The chat commands, who may use them, and each member's command menu (setMyCommands per chat).

Below handlers so that the CLI (roster import changes roles) can queue the menus too."""
from __future__ import annotations

from messages import plain, render
from storage import members, outbox
from storage.models.org import Member

EVERYONE = ("employee", "secretary", "admin", "leader")
STAFF = ("secretary", "admin")
ADMIN = ("admin",)

# (command, roles that may use it). `/start` is for everyone, registered or not.
COMMANDS: list[tuple[str, tuple[str, ...]]] = [
    ("help", EVERYONE),
    ("me", EVERYONE),
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
    ("report", STAFF),
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

# The persistent menu keyboard (reply keyboard): each label is the same as its command, for whoever may use it.
MENU: list[str] = ["tasks", "lessons", "surveys", "feedback", "reception", "inbox", "overdue", "kpi"]
MENU_ROW = 4


def allowed(member: Member, command: str) -> bool:
    roles = ROLES_OF.get(command)
    return roles is not None and member.has_role(*roles)


def menu(member: Member) -> list[tuple[str, str]]:
    """(command, description) pairs this member may use, in their language."""
    return [(c, render(member.language, "command_description", command=c))
            for c, _ in COMMANDS if allowed(member, c)]


def label(lang: str, command: str) -> str:
    """A menu button's text, as Telegram sends it back when pressed."""
    return plain(lang, "menu_label", command=command)


def keyboard(member: Member) -> dict:
    """The member's persistent menu keyboard: their role's main actions as localised labels."""
    labels = [{"text": label(member.language, c)} for c in MENU if allowed(member, c)]
    return {"keyboard": [labels[i:i + MENU_ROW] for i in range(0, len(labels), MENU_ROW)],
            "is_persistent": True, "resize_keyboard": True}


async def enqueue_menus(session, ctx, member_ids) -> int:
    """Queue each member's command menu and menu keyboard again (after their roles changed), through the
    outbox: a reply keyboard changes only with a message, so a short one carries it."""
    count = 0
    stamp = ctx.now().strftime("%Y%m%d%H%M%S%f")
    for m in await members.by_ids(session, member_ids):
        if m.chat_id is None:
            continue
        count += await outbox.to_member(session, ctx, m, key=f"menu:{m.id}:{m.roles}:{stamp}",
                                        messages=[outbox.commands_menu(m.chat_id, menu(m)),
                                                  outbox.message(render(m.language, "menu_changed"),
                                                                 reply_markup=keyboard(m))],
                                        kind="menu")
    return count
