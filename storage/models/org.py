"""The organisation: units (departments and Party branches as one tree), members and their invites."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, UTCDateTime

ROLES = ("employee", "secretary", "admin", "leader", "representative", "committee")  # 职工代表, 党委委员
UNIT_KINDS = ("department", "branch")


class Unit(Base):
    __tablename__ = "units"
    # A unit is identified by its path from the root (`Plant2/Office`): two units may share a name.
    __table_args__ = (UniqueConstraint("kind", "path", name="uq_units_kind_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(1000))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], lazy="raise")


class Member(Base):
    """One person, one file: the roster row and, once linked, their Telegram identity."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    roles: Mapped[str] = mapped_column(String(100), default="employee")
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id], lazy="raise")
    branch: Mapped[Unit | None] = relationship(foreign_keys=[branch_id], lazy="raise")

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_staff(self) -> bool:
        """Secretaries and admins: the people who publish, follow up and read KPIs."""
        return self.has_role("secretary", "admin")


class Invite(Base):
    """A single-use registration code; only its keyed hash is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
