"""Phone accounts for people seeded without signing in (the demo community's residents).

Each gets an account found by their phone's blind index, linked to their existing membership
(and unit), so signing in by phone reaches that member instead of making a new one. Numbers
are sealed like any other; nothing here logs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from linli_sdk import Community

from .accounts import account_by_phone
from .personal_data import normalise_phone
from .privacy import account_of
from .service import IdentityService
from .tables import Membership, Unit

__all__ = ["SeededPerson", "give_phone_accounts"]

SeededPerson = tuple[int, str, tuple[str, str] | None]
"""A member id, their phone number, and their unit as ``(building, room)`` or ``None``."""


async def _unit(community: Community, building: str, room: str) -> int:
    key = f"{community.id}:{building}:{room}"
    row = await Unit.select(Unit.id).where(Unit.scope_key == key).first()
    if row is None:
        (row,) = await Unit.insert(
            Unit(
                community=community.id,
                building=building,
                room=room,
                scope_key=key,
                created_at=datetime.now(UTC),
            )
        ).returning(Unit.id)
    return int(row["id"])


async def give_phone_accounts(
    service: IdentityService, community: Community, people: Iterable[SeededPerson]
) -> int:
    """Link each member to the account of their phone (made if missing); how many were linked.

    A member already linked to an account is left as it is.
    """
    linked = 0
    for member_id, phone, unit in people:
        if await account_of(member_id) is not None:
            continue
        account = await account_by_phone(service, normalise_phone(phone), create=True)
        unit_id = await _unit(community, *unit) if unit else None
        await Membership.insert(
            Membership(community=community.id, member=member_id, account=account, unit=unit_id)
        )
        linked += 1
    return linked
