"""The kit's purchases port: the facts a module reported, by ``ref`` and item."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..context import Community
from ..errors import NotFound
from ..money import Money
from ..purchases import PurchaseFact
from .members import KitMembers


class KitPurchases:
    """The purchases port: every fact recorded, keyed by ``(ref, item)`` in recording order."""

    def __init__(
        self,
        module: str,
        community: Community,
        clock: Callable[[], datetime],
        members: KitMembers,
    ) -> None:
        self._module, self._community, self._now, self._members = module, community, clock, members
        self.facts: dict[tuple[str, str], PurchaseFact] = {}

    async def record(
        self,
        *,
        ref: str,
        member_id: int,
        item: str,
        item_name: str,
        category: str,
        quantity: int,
        amount: Money,
        pickup_point_id: int | None = None,
    ) -> PurchaseFact:
        fact = PurchaseFact.stamp(
            module=self._module,
            community=self._community,
            at=self._now(),
            ref=ref,
            member_id=member_id,
            item=item,
            item_name=item_name,
            category=category,
            quantity=quantity,
            amount=amount,
            pickup_point_id=pickup_point_id,
        )
        if member_id not in self._members.members:
            raise NotFound(f"there is no member {member_id} in {self._community.slug}")
        return self.facts.setdefault((ref, item), fact)
