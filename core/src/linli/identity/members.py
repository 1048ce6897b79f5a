"""Adding members to a community (``create_community`` lives in :mod:`.communities`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from linli_sdk import Community, NotFound, Role

from linli.identity.auth import forget_callers, hash_token, new_token
from linli.identity.communities import create_community
from linli.tables import Member

__all__ = ["NewMember", "add_member", "create_community", "grant_role", "list_members"]


@dataclass(frozen=True, slots=True)
class NewMember:
    """A member just added, with the API token to act as them (shown once, stored hashed)."""

    id: int
    display_name: str
    roles: tuple[Role, ...]
    token: str


async def add_member(
    community: Community,
    display_name: str,
    *roles: Role,
    phone_masked: str | None = None,
    provider_id: int | None = None,
) -> NewMember:
    """Add a member to ``community`` with ``roles`` and issue their API token.

    A member holding ``resident`` is a verified resident; ``member`` is always implied.
    """
    token = new_token()
    (row,) = await Member.insert(
        Member(
            community=community.id,
            display_name=display_name,
            roles=sorted({Role.MEMBER, *roles}),
            verified=Role.RESIDENT in roles,
            phone_masked=phone_masked,
            provider=provider_id,
            token_hash=hash_token(token),
            created_at=datetime.now(UTC),
        )
    ).returning(Member.id)
    return NewMember(row["id"], display_name, roles, token)


async def grant_role(
    community: Community, member_id: int, role: Role, *, provider_id: int | None = None
) -> None:
    """Give a member of ``community`` the role ``role`` (and their provider, for staff).

    Raises:
        NotFound: There is no such member in this community.
    """
    row = (
        await Member.select(Member.roles)
        .where((Member.id == member_id) & (Member.community == community.id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no member {member_id} here")
    roles = json.loads(row["roles"]) if isinstance(row["roles"], str) else row["roles"]
    changes: dict[object, object] = {Member.roles: sorted({*roles, Role(role).value})}
    if provider_id is not None:
        changes[Member.provider] = provider_id
    await Member.update(changes).where(  # type: ignore[arg-type]
        (Member.id == member_id) & (Member.community == community.id)
    )
    forget_callers()  # the member's roles changed


async def list_members(community: Community) -> list[dict[str, Any]]:
    """The community's members by id: name, roles, verified, masked phone (operators' lists)."""
    rows = (
        await Member.select(
            Member.id, Member.display_name, Member.roles, Member.verified, Member.phone_masked
        )
        .where(Member.community == community.id)
        .order_by(Member.id)
        .output(load_json=True)
    )
    return [{**row, "roles": sorted(set(row["roles"]) - {Role.MEMBER.value})} for row in rows]
