"""The kit's deposits (押金): authorisations held until a stated expiry, split by deposit rules.

As on the platform, a deposit is an authorisation (``pending`` in its call, ``authorized``
after it) made under the manifest's ``deposit_rules`` (no community override applies), whose
payees are checked as a charge's are. It ends with ``capture`` (kept, split by the deposit
rules), ``void`` (returned), or — left alone past its expiry — a void the kit asks for when
its clock passes the expiry (:meth:`PluginKit.advance`), as the platform's worker does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ..errors import Conflict, InvalidInput
from ..host import Charge
from ..money import Money
from .gateway import TAKEN, KitGateway


class KitDeposits(KitGateway):
    """Deposits on top of the kit's gateway: holding them, and voiding those that expired."""

    async def hold_deposit(
        self,
        *,
        order_ref: str,
        amount: Money,
        payer_id: int,
        payees: Mapping[str, int],
        expires_at: datetime,
    ) -> Charge:
        """Hold a deposit until ``expires_at`` (see :meth:`linli_sdk.Payments.hold_deposit`)."""
        if amount.amount <= 0:
            raise InvalidInput(f"a deposit must be positive, not {amount}", field="amount")
        if existing := self._existing(order_ref):
            return existing
        rules = self._manifest.deposit_rules
        if rules is None:
            raise InvalidInput(f"module {self._manifest.name} declares no deposit_rules")
        if expires_at.tzinfo is None or expires_at <= self._now():
            raise InvalidInput(
                "a deposit must expire in the future (a timezone-aware time)", field="expires_at"
            )
        return self._open(
            order_ref=order_ref,
            amount=amount,
            payees=payees,
            rules=rules,
            capture=False,
            expires_at=expires_at,
        )

    def _expired(self, charge_id: str) -> bool:
        """Whether the charge is a deposit past its expiry that was neither captured nor voided."""
        expires_at = self.charges[charge_id].expires_at
        return (
            expires_at is not None
            and expires_at <= self._now()
            and not set(self.actions.get(charge_id, ())) & (TAKEN | {"void"})
        )

    def _refuse_expired(self, charge_id: str) -> None:
        """Refuse to capture a deposit past its expiry, as the platform does.

        Raises:
            Conflict: The deposit expired uncaptured.

        """
        if self._expired(charge_id):
            raise Conflict(f"deposit {charge_id} expired at {self.charges[charge_id].expires_at}")

    def expire_deposits(self) -> list[str]:
        """Ask to void every deposit past its expiry, not captured or voided (the worker's job).

        The voids are carried out by the next :meth:`settle`. Returns the ids of the deposits.
        :meth:`PluginKit.advance` calls it (and settles) after moving the clock.
        """
        expired = [
            charge_id
            for charge_id in self.charges
            if self._expired(charge_id) and not self._refused(charge_id)
        ]
        for charge_id in expired:
            self._intend(charge_id, "void")
        return expired
