"""Members: who is asking, registration with an invite code, roles and who is responsible for a unit."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import language_for
from storage import audit, invites, units
from storage.context import Context
from storage.errors import Refused
from storage.models.org import ROLES, Invite, Member


@dataclass(frozen=True)
class TelegramUser:
    """The parts of a Telegram user the rules care about (handlers build it from the update)."""

    id: int
    chat_id: int
    full_name: str = ""
    language_code: str | None = None


# Built once: every update runs it (identify), so it is not rebuilt per call.
_BY_TELEGRAM = select(Member).where(Member.telegram_user_id == bindparam("telegram_user_id"),
                                    Member.active.is_(True))


async def by_telegram(session: AsyncSession, telegram_user_id: int) -> Member | None:
    return (await session.execute(_BY_TELEGRAM, {"telegram_user_id": telegram_user_id})).scalar_one_or_none()


async def by_employee_no(session: AsyncSession, employee_no: str) -> Member | None:
    return (await session.execute(select(Member).where(Member.employee_no == employee_no))).scalar_one_or_none()


async def by_ids(session: AsyncSession, member_ids) -> list[Member]:
    ids = list(member_ids)
    if not ids:
        return []
    return list((await session.execute(select(Member).where(Member.id.in_(ids)).order_by(Member.id))).scalars())


async def identify(session: AsyncSession, ctx: Context, user: TelegramUser) -> Member | None:
    """The member behind a Telegram user, or None for a stranger.

    Ids in TONGXIN_ADMINS are admins from the start: their record is made on their first message.
    """
    member = await by_telegram(session, user.id)
    if member is not None:
        if member.chat_id != user.chat_id and user.chat_id > 0:
            member.chat_id = user.chat_id
        if not member.reachable:
            member.reachable = True  # they just wrote to us, so we can write back
        if user.id in ctx.admins and not member.has_role("admin"):
            member.roles = join_roles(member.role_set | {"admin"})
        return member
    if user.id in ctx.admins:
        member = Member(employee_no=f"tg{user.id}", name=user.full_name or str(user.id), roles="employee,admin",
                        telegram_user_id=user.id, chat_id=user.chat_id, language=language_for(user.language_code),
                        reachable=True, active=True, party_member=False, linked_at=ctx.now(),
                        created_at=ctx.now())
        session.add(member)
        await session.flush()
        audit.record(session, ctx, "admin.created", "member", member.id, actor_id=member.id)
        return member
    return None


async def register(session: AsyncSession, ctx: Context, user: TelegramUser, code: str) -> Member:
    """Link a Telegram user to the member the invite code was made for."""
    if await by_telegram(session, user.id) is not None:
        raise Refused("start_already_registered")
    code = invites.normalise(code)
    if not code:
        raise Refused("start_code_wrong")
    invite = (await session.execute(
        select(Invite).where(Invite.code_hash == invites.code_hash(ctx, code))
    )).scalar_one_or_none()
    if invite is None or invite.revoked:
        raise Refused("start_code_wrong")
    if invite.used_at is not None:
        raise Refused("start_code_used")
    if invite.expires_at <= ctx.now():
        raise Refused("start_code_expired")
    member = await session.get(Member, invite.member_id)
    if member is None or not member.active:
        raise Refused("start_code_wrong")
    if member.telegram_user_id is not None:
        raise Refused("start_code_used")
    invite.used_at = ctx.now()
    member.telegram_user_id = user.id
    member.chat_id = user.chat_id
    member.language = language_for(user.language_code)
    member.reachable = True
    member.linked_at = ctx.now()
    if user.id in ctx.admins:
        member.roles = join_roles(member.role_set | {"admin"})
    audit.record(session, ctx, "member.registered", "member", member.id, actor_id=member.id)
    return member


def join_roles(roles) -> str:
    """Roles as stored: comma-separated, in the one order of `ROLES`."""
    return ",".join(r for r in ROLES if r in roles)


async def staff_unit_ids(session: AsyncSession, member: Member) -> set[int] | None:
    """Units a secretary answers for (their department and branch, with everything below).

    None means "all units" (admins).
    """
    if member.has_role("admin"):
        return None
    if not member.has_role("secretary"):
        return set()
    roots = {uid for uid in (member.unit_id, member.branch_id) if uid is not None}
    return await units.subtree_ids(session, roots)


async def secretaries_for_unit(session: AsyncSession, unit_id: int) -> list[Member]:
    """Secretaries whose department or branch is the unit or one above it."""
    above = await units.ancestor_ids(session, unit_id)
    rows = (await session.execute(
        select(Member).where(Member.active.is_(True), Member.roles.contains("secretary"),
                             (Member.unit_id.in_(above)) | (Member.branch_id.in_(above)))
        .order_by(Member.id)
    )).scalars().all()
    return [m for m in rows if m.has_role("secretary")]


async def admins(session: AsyncSession) -> list[Member]:
    rows = (await session.execute(
        select(Member).where(Member.active.is_(True), Member.roles.contains("admin")).order_by(Member.id)
    )).scalars().all()
    return [m for m in rows if m.has_role("admin")]


async def set_language(session: AsyncSession, member: Member, code: str | None) -> None:
    member.language = language_for(code)
