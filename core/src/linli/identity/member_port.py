"""The host's member lookup (the SDK's ``Members`` port), served by the identity service.

A module sees the minimal, masked view of a member. A personal field is unsealed only for a
member scope the module's manifest declares and an operator granted in this community; every
ID number unsealed is written to the audit log in the same transaction as the call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from linli_sdk import Community, MemberView, Role

from ..tables import Member
from .member_scopes import granted_scopes, record_national_id_view
from .tables import Membership

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["MemberPort"]


class MemberPort:
    """``host.members`` for one module in one community."""

    def __init__(self, platform: Platform, community: Community, module: str) -> None:
        self._platform, self._community, self._module = platform, community, module

    def _declared(self) -> frozenset[str]:
        loaded = self._platform.registry.get(self._module)
        return loaded.manifest.member_scopes if loaded else frozenset()

    async def with_role(self, role: Role) -> list[int]:
        """The ids of this community's members who hold ``role``, oldest first."""
        rows = (
            await Member.select(Member.id, Member.roles)
            .output(load_json=True)
            .where(Member.community == self._community.id)
            .order_by(Member.id)
        )
        return [row["id"] for row in rows if role in row["roles"]]

    async def get(self, member_id: int, purpose: str = "") -> MemberView | None:
        """The member with this id in this community (granted fields filled), or ``None``."""
        row = (
            await Member.select(
                Member.id, Member.display_name, Member.roles, Member.verified, Member.phone_masked
            )
            .output(load_json=True)
            .where((Member.id == member_id) & (Member.community == self._community.id))
            .first()
        )
        if row is None:
            return None
        person = await self._person(member_id)
        scopes = self._declared()
        if scopes:
            scopes &= await granted_scopes(self._community.id, self._module)
        fields: dict[str, Any] = {"real_name": bool(person.get("account.national_id_sealed"))}
        if "members.unit" in scopes and person.get("unit.building") is not None:
            fields["unit"] = f"{person['unit.building']}-{person['unit.room']}"
        sealed = {
            "phone": person.get("account.phone_sealed") if "members.phone" in scopes else None,
            "national_id": person.get("account.national_id_sealed")
            if "members.national_id" in scopes
            else None,
        }
        if any(sealed.values()):
            keys = (await self._platform.identity.keys()).data
            for field, value in sealed.items():
                if value:
                    fields[field] = keys.open(value, field)
        if "national_id" in fields:
            await record_national_id_view(self._community.id, self._module, member_id, purpose)
        return MemberView(
            id=row["id"],
            display_name=row["display_name"],
            roles=frozenset(Role(r) for r in row["roles"]),
            verified=row["verified"],
            phone_masked=row["phone_masked"],
            **fields,
        )

    async def _person(self, member_id: int) -> dict[str, Any]:
        link: dict[str, Any] | None = (
            await Membership.select(
                Membership.unit.building,
                Membership.unit.room,
                Membership.account.phone_sealed,
                Membership.account.national_id_sealed,
            )
            .where(Membership.member == member_id)
            .first()
        )
        return link or {}
