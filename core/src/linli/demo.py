"""The demo community: residents, a leader, a pickup point and a provider, every module on."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from linli_sdk import Community, Role

from linli.identity.auth import forget_callers, hash_token, new_token
from linli.identity.communities import find_community
from linli.identity.members import NewMember, add_member, create_community
from linli.modules.enablement import set_module
from linli.modules.events import with_events

from .network.service import add_pickup_point, add_warehouse
from .platform import Platform
from .tables import Member, Provider

__all__ = [
    "DEMO_OPERATOR_PHONE",
    "DEMO_SLUG",
    "WEB_EXAMPLE_ORIGIN",
    "demo_web_client",
    "seed_demo",
    "sign_in_lines",
]

DEMO_SLUG = "sunny-garden"
WEB_EXAMPLE_ORIGIN = "http://127.0.0.1:8765"
"""Where ``examples/resident_web`` serves its page; the demo lets it call the API (CORS)."""
_WEB_EXAMPLE_NAME = "Linli resident web (example)"

_PEOPLE: tuple[tuple[str, tuple[Role, ...], str | None], ...] = (
    ("Operator Zhou", (Role.OPERATOR,), "139****0001"),
    ("Leader Wang (团长)", (Role.LEADER, Role.RESIDENT), "138****1234"),
    ("Host Li (自提点)", (Role.PICKUP_HOST, Role.RESIDENT), "137****5678"),
    ("Resident Chen", (Role.RESIDENT,), "136****2468"),
    ("Resident Liu", (Role.RESIDENT,), "135****1357"),
    ("Newcomer Zhao", (), None),
    ("Cleaner Sun (Tidy Home)", (Role.PROVIDER_STAFF,), "133****9999"),
)


async def seed_demo(platform: Platform) -> tuple[Community, list[NewMember]]:
    """Create the demo community (once) and enable every loaded module there.

    Returns the community and its members. Run again, it creates nothing new: it only issues
    fresh tokens to the existing demo members (old ones stop working).
    """
    community = await find_community(DEMO_SLUG)
    if community is not None:
        return community, await _reissue_tokens(community)
    community = await create_community(
        DEMO_SLUG, "阳光花园 Sunny Garden", timezone="Asia/Shanghai", currency="CNY"
    )
    (provider,) = await Provider.insert(
        Provider(name="Tidy Home 家政", created_at=datetime.now(UTC))
    ).returning(Provider.id)
    members = [
        await add_member(
            community,
            name,
            *roles,
            phone_masked=phone,
            provider_id=provider["id"] if Role.PROVIDER_STAFF in roles else None,
        )
        for name, roles, phone in _PEOPLE
    ]
    await _seed_network(community, members)
    await seed_demo_accounts(platform, community, members)
    registry = platform.registry
    for name in registry.modules:
        await set_module(platform, community, name, enabled=True)
        await with_events(platform, community, name, partial(registry.hooks.seed_demo, name))
    return community, members


async def _seed_network(community: Community, members: list[NewMember]) -> None:
    """The demo's pickup network: two warehouses and a point with its host and leader."""
    host = next(m for m in members if Role.PICKUP_HOST in m.roles)
    leader = next(m for m in members if Role.LEADER in m.roles)
    central = await add_warehouse(community, "central", "中心仓 Central warehouse")
    grid = await add_warehouse(
        community, "grid", "网格仓 East grid", central_id=central["id"], address="East Road 8"
    )
    await add_pickup_point(
        community,
        "3号楼快递柜旁 Building 3 lockers",
        address="Sunny Garden, Building 3",
        grid_warehouse_id=grid["id"],
        host_id=host.id,
        leader_id=leader.id,
    )


async def _reissue_tokens(community: Community) -> list[NewMember]:
    rows = await Member.select().output(load_json=True).where(Member.community == community.id)
    members = []
    for row in sorted(rows, key=lambda r: r["id"]):
        token = new_token()
        await Member.update({Member.token_hash: hash_token(token)}).where(Member.id == row["id"])
        forget_callers()
        roles = tuple(Role(r) for r in row["roles"] if r != Role.MEMBER)
        members.append(NewMember(row["id"], row["display_name"], roles, token))
    return members


async def demo_web_client() -> str:
    """The client id of the example resident web frontend, registered once for the demo."""
    from .identity.clients import register_client
    from .identity.tables import OAuthClient

    row = (
        await OAuthClient.select(OAuthClient.client_id)
        .where(OAuthClient.name == _WEB_EXAMPLE_NAME)
        .first()
        .run()
    )
    if row is not None:
        return str(row["client_id"])
    made = await register_client(_WEB_EXAMPLE_NAME, redirect_uris=[f"{WEB_EXAMPLE_ORIGIN}/"])
    return made.client_id


DEMO_PHONES: dict[str, tuple[str, tuple[str, str] | None]] = {
    "Operator Zhou": ("13900000001", None),
    "Leader Wang (团长)": ("13800001234", ("1", "101")),
    "Host Li (自提点)": ("13700005678", ("3", "101")),
    "Resident Chen": ("13600002468", ("3", "1201")),
    "Resident Liu": ("13500001357", ("3", "1202")),
    "Cleaner Sun (Tidy Home)": ("13300009999", None),
}
"""The demo people's phone numbers and units (building, room): signing in by phone with one of
these reaches that seeded member (docs/identity.md lists them). Demo data, never real."""

DEMO_OPERATOR_PHONE = DEMO_PHONES["Operator Zhou"][0]
"""The demo's platform operator in the console (``LINLI_PLATFORM_OPERATORS`` unless set)."""


async def seed_demo_accounts(
    platform: Platform, community: Community, members: list[NewMember]
) -> int:
    """Give the seeded demo people phone accounts (and units); how many were linked."""
    from .identity.demo_accounts import give_phone_accounts

    people = [
        (member.id, *DEMO_PHONES[member.display_name])
        for member in members
        if member.display_name in DEMO_PHONES
    ]
    return await give_phone_accounts(platform.identity, community, people)


def sign_in_lines(base: str) -> list[str]:
    """What ``linli demo`` prints on signing in: the demo phone numbers and where codes go."""
    lines = [
        "  sign in by phone (test numbers; the SMS goes to this log, so the one-time",
        "  code appears below as 'Linli sign-in code: NNNNNN'):",
    ]
    for name, (phone, unit) in DEMO_PHONES.items():
        home = f"unit {unit[0]}-{unit[1]}" if unit else ""
        lines.append(f"    {name:<28} {phone}  {home}".rstrip())
    return [
        *lines,
        f"    code:  curl -X POST {base}/v1/identity/sign-in-codes \\",
        "             -H 'Content-Type: application/json' -d '{\"phone\": \"13600002468\"}'",
        "    then sign in with the number and the code on the resident web frontend's",
        f"    sign-in page (OAuth, {base}/oauth/authorize) or any OAuth client of yours",
    ]
