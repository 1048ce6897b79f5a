"""The demo community: a few residents, a leader, a pickup point and a provider, with every module on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from linli_sdk import Community, Role

from .auth import hash_token, new_token
from .enablement import set_module
from .host import CoreHost
from .platform import Platform
from .tables import Community as CommunityRow
from .tables import Member, PickupPoint, Provider

__all__ = ["DEMO_SLUG", "DemoMember", "seed_demo"]

DEMO_SLUG = "sunny-garden"

_PEOPLE: tuple[tuple[str, tuple[Role, ...], str | None], ...] = (
    ("Operator Zhou", (Role.OPERATOR,), "139****0001"),
    ("Leader Wang (团长)", (Role.LEADER, Role.RESIDENT), "138****1234"),
    ("Host Li (自提点)", (Role.PICKUP_HOST, Role.RESIDENT), "137****5678"),
    ("Resident Chen", (Role.RESIDENT,), "136****2468"),
    ("Resident Liu", (Role.RESIDENT,), "135****1357"),
    ("Newcomer Zhao", (), None),
    ("Cleaner Sun (Tidy Home)", (Role.PROVIDER_STAFF,), "133****9999"),
)


@dataclass(frozen=True, slots=True)
class DemoMember:
    """A seeded member and the API token to act as them (shown once)."""

    id: int
    display_name: str
    roles: tuple[Role, ...]
    token: str


async def seed_demo(platform: Platform) -> tuple[Community, list[DemoMember]]:
    """Create the demo community afresh (if absent) and enable every loaded module there.

    Returns the community and its members with fresh tokens; running it again only issues new
    tokens for the existing members.
    """
    now = datetime.now(UTC)
    row = await CommunityRow.select().where(CommunityRow.slug == DEMO_SLUG).first()
    fresh = row is None
    if row is None:
        (row,) = await CommunityRow.insert(
            CommunityRow(slug=DEMO_SLUG, name="阳光花园 Sunny Garden", created_at=now)
        ).returning(*CommunityRow.all_columns())
    community = Community(id=row["id"], slug=row["slug"], name=row["name"])
    members: list[DemoMember] = []
    if fresh:
        (provider,) = await Provider.insert(Provider(name="Tidy Home 家政", created_at=now)).returning(
            Provider.id
        )
    for name, roles, phone in _PEOPLE:
        token = new_token()
        existing = await Member.select(Member.id).where(
            (Member.community == community.id) & (Member.display_name == name)
        ).first()
        if existing is None:
            (created,) = await Member.insert(
                Member(
                    community=community.id,
                    display_name=name,
                    roles=[Role.MEMBER, *roles],
                    verified=Role.RESIDENT in roles,
                    phone_masked=phone,
                    provider=provider["id"] if Role.PROVIDER_STAFF in roles else None,
                    token_hash=hash_token(token),
                    created_at=now,
                )
            ).returning(Member.id)
            member_id = created["id"]
        else:
            member_id = existing["id"]
            await Member.update({Member.token_hash: hash_token(token)}).where(Member.id == member_id)
        members.append(DemoMember(member_id, name, roles, token))
    if fresh:
        host_id = next(m.id for m in members if Role.PICKUP_HOST in m.roles)
        await PickupPoint.insert(
            PickupPoint(
                community=community.id,
                name="3号楼快递柜旁 Building 3 lockers",
                address="Sunny Garden, Building 3",
                host_member=host_id,
            )
        )
    registry = platform.registry
    for name in registry.modules:
        await set_module(registry, community, name, enabled=True)
        if fresh:
            await registry.hooks.seed_demo(name, CoreHost(community, name))
    return community, members
