"""Deposits (押金): authorisations held until an expiry stated up front, split by their own rules.

A module holds a deposit with ``host.payments.hold_deposit`` (an authorisation recorded by
`Charges.charge` with ``expires_at``, under the manifest's ``deposit_rules``) and ends it with
``capture`` (kept: split by the deposit rules) or ``void`` (returned). One it leaves alone past
its expiry is voided here: the dispatch worker (and every `sweep`) asks for a void intent for
each expired, uncaptured deposit, in a transaction of its own under the charge's lock, so a
capture racing the expiry either wins before it or is refused after it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .charges import Charges
from .executor import row_money
from .tables import SettlementCharge

__all__ = ["Deposits"]


class Deposits(Charges):
    """Deposits on top of charges: voiding those that expired."""

    async def expire_deposits(
        self, community_id: int | None = None, *, now: datetime | None = None
    ) -> list[tuple[int, int]]:
        """Ask to void every deposit past its expiry (at ``now``) not yet captured or voided.

        ``community_id`` limits it to one community. Each void is recorded in a transaction of
        its own; the gateway is asked after commit (now, if ``eager``; else by `sweep`).
        Returns the ``(community id, charge id)`` of each deposit it voided.
        """
        due = await SettlementCharge.raw(
            "SELECT c.id, c.community FROM linli_settlement_charge c "
            "WHERE c.expires_at IS NOT NULL AND c.expires_at <= {} "
            + ("AND c.community = {} " if community_id is not None else "")
            + "AND NOT EXISTS (SELECT 1 FROM linli_settlement_intent i WHERE i.charge = c.id "
            "AND i.action IN ('capture', 'void')) ORDER BY c.id",
            now or datetime.now(UTC),
            *([community_id] if community_id is not None else []),
        )
        voided = []
        engine = SettlementCharge._meta.db
        for found in due:
            where, number = int(found["community"]), int(found["id"])
            async with engine.transaction():
                row = await self._locked(where, number)
                if await self._actions(row) & {"capture", "void"} or await self._refused(row):
                    continue  # captured, voided or refused meanwhile
                await self._intend(row, "void", row_money(row))
            voided.append((where, number))
            self.carry_out_later(where, number)
        return voided

    async def sweep(self, community_id: int) -> int:
        """Void the community's expired deposits, then carry out every pending intent."""
        await self.expire_deposits(community_id)
        return await super().sweep(community_id)
