"""The host's ``purchases`` port for one module in one community (SDK ``Purchases``).

A recorded fact refreshes the buyer's tag for its item in the same transaction, if the buyer
consented to personalisation.
"""

from __future__ import annotations

from datetime import UTC, datetime

from linli_sdk import Community, Money, PurchaseFact

from .service import Profiles
from .store import record_fact

__all__ = ["HostPurchases"]


class HostPurchases:
    """``host.purchases``: a module's purchase facts, written in the call's transaction."""

    def __init__(self, profiles: Profiles, community: Community, module: str) -> None:
        self._profiles, self._community, self._module = profiles, community, module

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
        """Record a fact; the same ``ref`` and ``item`` return the first one unchanged."""
        fact = PurchaseFact.stamp(
            module=self._module,
            community=self._community,
            at=datetime.now(UTC),
            ref=ref,
            member_id=member_id,
            item=item,
            item_name=item_name,
            category=category,
            quantity=quantity,
            amount=amount,
            pickup_point_id=pickup_point_id,
        )
        recorded, consented = await record_fact(self._community, fact)
        if consented:  # a new fact of a consenting member: their tag for the item may change
            await self._profiles.fact_recorded(self._community, recorded)
        return recorded
