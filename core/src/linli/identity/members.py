"""Creating communities and members (the identity service grows from here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from linli_sdk import Community, Conflict, Role

from linli.identity.auth import hash_token, new_token
from linli.tables import Community as CommunityRow
from linli.tables import Member

__all__ = ["NewMember", "add_member", "create_community"]


@dataclass(frozen=True, slots=True)
class NewMember:
    """A member just added, with the API token to act as them (shown once, stored hashed)."""

    id: int
    display_name: str
    roles: tuple[Role, ...]
    token: str


async def create_community(slug: str, name: str) -> Community:
    """Create a community; :class:`~linli_sdk.Conflict` if the slug is taken."""
    if await CommunityRow.exists().where(CommunityRow.slug == slug):
        raise Conflict(f"community {slug!r} already exists")
    (row,) = await CommunityRow.insert(
        CommunityRow(slug=slug, name=name, created_at=datetime.now(UTC))
    ).returning(CommunityRow.id)
    return Community(id=row["id"], slug=slug, name=name)


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
