"""Audiences, written the same way everywhere: `all`, `unit:<path>`, `branch:<path>`, `party`,
`role:<role>`, joined by commas for a union (or in Chinese: `全体`, `部门:<path>`, `支部:<path>`, `党员`,
`角色:书记`); stored in the English form, shown back in the reader's language (`messages` filter `audience`). A unit is named by its path (`Plant2/Office`) or by a name only
one unit has; an ambiguous name is refused with the candidates."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import units
from storage.errors import Refused
from storage.models.org import ROLES, Member


# The Chinese forms, accepted as well as the English ones: 全体, 部门:生产部, 支部:第一支部, 党员, 角色:书记.
KEYS = {"全体": "all", "全体人员": "all", "所有人": "all", "党员": "party", "全体党员": "party", "部门": "unit",
        "支部": "branch", "角色": "role"}
ROLE_WORDS = {"职工": "employee", "员工": "employee", "书记": "secretary", "管理员": "admin", "领导": "leader",
              "职工代表": "representative", "党委委员": "committee", "党委": "committee"}


def parse(text: str) -> list[tuple[str, str]]:
    """Terms of an audience; raises Refused('audience_invalid') on bad syntax."""
    terms: list[tuple[str, str]] = []
    for raw in (text or "").replace("，", ",").replace("、", ",").replace("；", ",").replace(";", ",").split(","):
        part = raw.strip()
        if not part:
            continue
        key, _, value = part.replace("：", ":").partition(":")
        key, value = key.strip().lower(), value.strip()
        key = KEYS.get(key, key)
        if key == "role":
            value = ROLE_WORDS.get(value, value)
        if key in ("all", "party") and not value:
            terms.append((key, ""))
        elif key in ("unit", "branch") and value:
            terms.append((key, value))
        elif key == "role" and value.lower() in ROLES:
            terms.append((key, value.lower()))
        else:
            raise Refused("audience_invalid", term=part)
    if not terms:
        raise Refused("audience_invalid", term=text or "")
    return terms


async def validate(session: AsyncSession, text: str) -> str:
    """The audience normalised, after checking that every named unit exists."""
    terms = parse(text)
    named = []
    for key, value in terms:
        if key in ("unit", "branch"):
            unit = await units.by_name(session, "department" if key == "unit" else "branch", value)
            if unit is None:
                raise Refused("audience_unknown_unit", kind=key, name=value)
            value = unit.path  # kept by path: still this unit when another one takes the same name
        named.append((key, value))
    return ",".join(f"{k}:{v}" if v else k for k, v in named)


async def member_filter(session: AsyncSession, text: str):
    """A SQL condition on Member selecting the audience (active members only)."""
    conditions = []
    for key, value in parse(text):
        if key == "all":
            conditions.append(Member.id.is_not(None))
        elif key == "party":
            conditions.append(Member.party_member.is_(True))
        elif key == "role":
            conditions.append(Member.roles.contains(value))
        else:
            kind = "department" if key == "unit" else "branch"
            unit = await units.by_name(session, kind, value)
            if unit is None:
                raise Refused("audience_unknown_unit", kind=key, name=value)
            ids = await units.subtree_ids(session, {unit.id})
            column = Member.unit_id if key == "unit" else Member.branch_id
            conditions.append(column.in_(ids))
    return Member.active.is_(True) & or_(*conditions)


async def members(session: AsyncSession, text: str) -> list[Member]:
    rows = (await session.execute(select(Member).where(await member_filter(session, text)).order_by(Member.id)))
    # Role names are whole words that are not part of each other, so `contains` is exact here.
    return list(rows.scalars().all())


async def includes(session: AsyncSession, text: str, member: Member) -> bool:
    return (await session.execute(
        select(Member.id).where(await member_filter(session, text), Member.id == member.id)
    )).first() is not None
