"""Roster import: the one-person-one-file list of employees, upserted by employee number.

The whole file is checked first; any bad row rejects it with row-numbered reasons and nothing written.
Members not yet linked get a fresh invite code.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, exports, invites, members, units
from storage.context import Context
from storage.errors import InvalidFile, Problem
from storage.models.org import Member
from storage.tabular import CHAT, Limits, parse_bool, read_table, split_list

COLUMNS = {
    "employee_no": ("工号", "员工编号", "employee no"),
    "name": ("姓名", "名字"),
    "department": ("部门", "所在部门"),
    "branch": ("支部", "党支部", "所在支部"),
    "party_member": ("党员", "是否党员", "政治面貌"),
    "roles": ("角色",),
}
REQUIRED = ("employee_no", "name", "department")
ROLE_WORDS = {
    "employee": "employee", "员工": "employee", "职工": "employee",
    "secretary": "secretary", "书记": "secretary", "支部书记": "secretary", "党群干事": "secretary",
    "admin": "admin", "管理员": "admin",
    "leader": "leader", "领导": "leader",
    "representative": "representative", "职工代表": "representative",
    "committee": "committee", "党委委员": "committee", "党委": "committee",
}


@dataclass
class RosterEntry:
    row: int
    employee_no: str
    name: str
    department: str
    branch: str
    party_member: bool
    roles: frozenset[str]


@dataclass
class Invitation:
    employee_no: str
    name: str
    code: str
    link: str


@dataclass
class RosterResult:
    created: int
    updated: int
    invitations: list[Invitation]
    relinked_member_ids: list[int]


def check(data: bytes, filename: str, limits: Limits = CHAT) -> list[RosterEntry]:
    """The whole file read and checked, touching no database (run it off the event loop, outside a
    transaction); any bad row refuses it with row-numbered reasons."""
    rows = read_table(data, filename, COLUMNS, REQUIRED, limits)
    problems: list[Problem] = []
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for row in rows:
        n = row.number
        employee_no, name, dept = row.text("employee_no"), row.text("name"), row.text("department")
        before = len(problems)
        if not employee_no:
            problems.append(Problem(n, "missing", {"column": "employee_no"}))
        elif employee_no in seen:
            problems.append(Problem(n, "duplicate", {"column": "employee_no", "value": employee_no,
                                                     "first": seen[employee_no]}))
        else:
            seen[employee_no] = n
        if not name:
            problems.append(Problem(n, "missing", {"column": "name"}))
        if not dept:
            problems.append(Problem(n, "missing", {"column": "department"}))
        party = parse_bool(row.text("party_member"))
        if party is None:
            problems.append(Problem(n, "bad_value", {"column": "party_member", "value": row.text("party_member")}))
        roles = {"employee"}
        for word in split_list(row.text("roles").replace(" ", ";")):
            role = ROLE_WORDS.get(word.lower())
            if role is None:
                problems.append(Problem(n, "bad_value", {"column": "roles", "value": word}))
            else:
                roles.add(role)
        if len(problems) == before:
            entries.append(RosterEntry(n, employee_no, name, dept, row.text("branch"), bool(party),
                                       frozenset(roles)))
    if problems:
        raise InvalidFile(problems)
    return entries


BATCH = 2000  # members per statement batch: well under SQLite's bound-variable limit, memory stays flat


async def apply(session: AsyncSession, ctx: Context, entries: list[RosterEntry],
                actor_id: int | None = None) -> RosterResult:
    """Upsert the checked entries by employee number, a batch at a time (a roster may have 200,000 rows)."""
    created = updated = 0
    invitations: list[Invitation] = []
    role_changed: list[int] = []
    unit_ids = await _unit_ids(session, entries)
    now = ctx.now()
    for start in range(0, len(entries), BATCH):
        batch = entries[start:start + BATCH]
        numbers = [e.employee_no for e in batch]
        existing = {m.employee_no: m for m in (await session.execute(
            select(Member).where(Member.employee_no.in_(numbers)))).scalars()}
        new_rows = []
        for e in batch:
            values = dict(name=e.name, unit_id=unit_ids[("department", e.department)],
                          branch_id=unit_ids[("branch", e.branch)] if e.branch else None,
                          party_member=e.party_member, active=True)
            member = existing.get(e.employee_no)
            if member is None:
                new_rows.append(dict(employee_no=e.employee_no, roles=members.join_roles(e.roles), created_at=now,
                                     language="zh", reachable=True, telegram_user_id=None, **values))
                continue
            updated += 1
            if member.telegram_user_id is not None and member.role_set != e.roles:
                role_changed.append(member.id)
            # TONGXIN_ADMINS stay admins whatever the sheet says.
            roles = set(e.roles) | ({"admin"} if member.telegram_user_id in ctx.admins else set())
            for key, value in values.items():
                setattr(member, key, value)
            member.roles = members.join_roles(roles)
        if new_rows:
            await session.execute(insert(Member), new_rows)
            created += len(new_rows)
        await session.flush()
        for member in existing.values():
            session.expunge(member)  # done with: the session does not grow with the roster
        unlinked = (await session.execute(
            select(Member.id, Member.employee_no, Member.name)
            .where(Member.employee_no.in_(numbers), Member.telegram_user_id.is_(None)))).all()
        codes = await invites.issue_many(session, ctx, [row.id for row in unlinked])
        by_no = {row.employee_no: row for row in unlinked}
        for e in batch:
            row = by_no.get(e.employee_no)
            if row is not None:
                code = codes[row.id]
                invitations.append(Invitation(e.employee_no, e.name, code, invites.link(ctx, code)))
    audit.record(session, ctx, "roster.imported", "roster", None, actor_id=actor_id, created=created,
                 updated=updated)
    return RosterResult(created, updated, invitations, role_changed)


async def _unit_ids(session: AsyncSession, entries: list[RosterEntry]) -> dict[tuple[str, str], int]:
    """(kind, path) -> unit id for every department and branch the roster names, each made once."""
    wanted = dict.fromkeys([("department", e.department) for e in entries]
                           + [("branch", e.branch) for e in entries if e.branch])
    return {(kind, path): (await units.ensure(session, kind, path)).id for kind, path in wanted}


def codes_csv(invitations: list[Invitation]) -> bytes:
    """The codes sheet for the secretary (names are people's text: written as text)."""
    return exports.csv_bytes([["employee_no", "name", "invite_code", "invite_link"],
                              *([inv.employee_no, inv.name, inv.code, inv.link] for inv in invitations)])
