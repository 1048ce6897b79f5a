"""The host's ``purchases`` port for one module in one community (SDK ``Purchases``).

A recorded fact refreshes the buyer's tag for its item in the same transaction, if the buyer
consented to personalisation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from linli_sdk import Community, PurchaseFact

from .service import Profiles
from .store import record_fact

__all__ = ["HostPurchases"]


class HostPurchases:
    """``host.purchases``: a module's purchase facts, written in the call's transaction."""

    def __init__(self, profiles: Profiles, community: Community, module: str) -> None:
        self._profiles, self._community, self._module = profiles, community, module

    async def record(self, **reported: Any) -> PurchaseFact:
        """`linli_sdk.Purchases.record`; the same ``ref`` and ``item`` return the first fact."""
        fact = PurchaseFact.stamp(
            module=self._module, community=self._community, at=datetime.now(UTC), **reported
        )
        recorded, consented = await record_fact(self._community, fact)
        if consented:  # a new fact of a consenting member: their tag for the item may change
            await self._profiles.fact_recorded(self._community, recorded)
        return recorded
