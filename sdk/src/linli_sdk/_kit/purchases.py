"""The kit's purchases port: the facts a module reported, by ``ref`` and item."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..context import Community
from ..errors import NotFound
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

    async def record(self, **reported: Any) -> PurchaseFact:
        """`linli_sdk.Purchases.record`, checked against the kit's members."""
        fact = PurchaseFact.stamp(
            module=self._module, community=self._community, at=self._now(), **reported
        )
        if fact.member_id not in self._members.members:
            raise NotFound(f"there is no member {fact.member_id} in {self._community.slug}")
        return self.facts.setdefault((fact.ref, fact.item), fact)
