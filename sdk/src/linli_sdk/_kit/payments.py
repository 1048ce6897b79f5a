"""The kit's payments port: charges split by revenue-share rules, refunds, deposits, payouts.

As on the platform, the gateway answers only after the unit of work that asked it has returned
(see :mod:`.gateway`): a new charge reads ``pending`` inside that unit, and the settlement
events (``charge_failed``, ``charge_captured``, ``charge_refunded``) are announced after it.
Deposits are in :mod:`.deposits`; a payout batch (:meth:`KitPayments.pay_out`) announces
``charge_paid_out`` for each share it pays.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from ..errors import Conflict, InvalidInput
from ..host import CHARGE_PAID_OUT, Charge, ChargeStatus, Refund
from ..manifest import Manifest
from ..money import Money
from ..revenue_share import RevenueShareRules
from ..revenue_share import refund as allocate_refund
from .deposits import KitDeposits
from .gateway import TAKEN


class KitPayments(KitDeposits):
    """The payments port: charges, deposits, captures, voids, refunds and payouts in memory.

    Besides what :class:`~linli_sdk._kit.gateway.KitGateway` keeps: ``released_at`` when
    each charge was released, ``paid_out`` the charges a payout batch paid, and
    ``overrides`` the community's revenue-share overrides (see :meth:`set_overrides`).
    """

    def __init__(self, manifest: Manifest, clock: Callable[[], datetime]) -> None:
        super().__init__(manifest, clock)
        self.released_at: dict[str, datetime] = {}
        self.paid_out: set[str] = set()
        self.overrides: dict[str, int | Money] = {}
        self._refund_ids = itertools.count(1)

    def set_overrides(self, overrides: Mapping[str, int | Money]) -> RevenueShareRules:
        """Set the community's revenue-share overrides, as an operator does on the platform.

        Each value replaces a share's declared value inside its bounds (basis points for a
        percent share, :class:`~linli_sdk.Money` for a fixed one). Charges made from now on
        are split by the result; charges made before keep their rules.

        Raises:
            ShareOutOfBounds: An override lies outside its share's declared bounds.
            UnknownParty: An override names a party the rules do not have.

        """
        rules = self._declared().with_overrides(overrides)
        self.overrides = dict(overrides)
        return rules

    def _declared(self) -> RevenueShareRules:
        if self._manifest.revenue_share is None:
            raise InvalidInput(f"module {self._manifest.name} declares no revenue-share rules")
        return self._manifest.revenue_share

    def effective_rules(self) -> RevenueShareRules:
        """The rules a charge made now is split by: declared, with the overrides applied."""
        return self._declared().with_overrides(self.overrides)

    async def charge(
        self,
        *,
        order_ref: str,
        amount: Money,
        payer_id: int,
        payees: Mapping[str, int],
        capture: bool = True,
    ) -> Charge:
        """Charge for an order (see :meth:`linli_sdk.Payments.charge`)."""
        if amount.amount <= 0:
            raise InvalidInput(f"a charge must be positive, not {amount}", field="amount")
        if existing := self._existing(order_ref):
            return existing
        return self._open(
            order_ref=order_ref,
            amount=amount,
            payees=payees,
            rules=self.effective_rules(),
            capture=capture,
        )

    async def get(self, charge_id: str) -> Charge:
        """The charge as the kit has it now (see :meth:`linli_sdk.Payments.get`)."""
        return self._get(charge_id)

    async def capture(self, charge_id: str) -> Charge:
        """Ask to capture an authorised charge or deposit; carried out after the unit."""
        charge = self._get(charge_id)
        actions = set(self.actions.get(charge_id, ()))
        if "void" in actions:
            raise Conflict(f"charge {charge_id} was voided; it cannot be captured")
        if self._refused(charge_id):
            raise Conflict(f"charge {charge_id} failed: the gateway refused it")
        self._refuse_expired(charge_id)
        if not actions & TAKEN:
            self._intend(charge_id, "capture")
        return charge

    async def release(self, charge_id: str) -> Charge:
        """Release the charge's held shares for payout (see :meth:`linli_sdk.Payments.release`)."""
        charge = self._get(charge_id)
        self.released_at.setdefault(charge_id, self._now())
        updated = charge.model_copy(update={"released": True})
        self.charges[charge_id] = updated
        return updated

    def payable(self, charge_id: str) -> bool:
        """Whether a payout batch run now would pay the charge's shares out.

        True once the charge is captured and past the manifest's ``payout_hold``: ``days``
        after the capture, or after the release when it holds ``until_released``.
        """
        charge = self._get(charge_id)
        if charge.status is not ChargeStatus.CAPTURED or charge_id not in self.captured_at:
            return False
        hold = self._manifest.payout_hold
        if hold is None:
            return True
        start = self.captured_at[charge_id]
        if hold.until_released:
            if charge_id not in self.released_at:
                return False
            start = self.released_at[charge_id]
        return self._now() >= start + timedelta(days=hold.days)

    def pay_out(self) -> list[tuple[str, str]]:
        """Pay out every share now payable (:meth:`payable`) and not paid yet, as a batch does.

        Announces ``settlement.charge_paid_out`` for each charge and paid party (members
        only: the platform's and the community fund's shares are not transfers). Returns the
        ``(charge id, party)`` pairs paid.
        """
        paid: list[tuple[str, str]] = []
        for charge_id, charge in list(self.charges.items()):
            if charge_id in self.paid_out or not self.payable(charge_id):
                continue
            self.paid_out.add(charge_id)
            for party, share in charge.parts.items():
                payee = self.payees.get(charge_id, {}).get(party)
                if payee is None or share.amount <= 0:
                    continue
                paid.append((charge_id, party))
                self._announce(
                    CHARGE_PAID_OUT,
                    charge,
                    party=party,
                    payee_id=payee,
                    amount=share.model_dump(mode="json"),
                )
        return paid

    async def void(self, charge_id: str) -> Charge:
        """Ask to void an authorised charge or deposit; carried out after the unit."""
        charge = self._get(charge_id)
        if self._refused(charge_id):
            return charge  # nothing is held: nothing to release
        actions = set(self.actions.get(charge_id, ()))
        if actions & TAKEN:
            raise Conflict(f"charge {charge_id} is captured: refund it instead of voiding")
        if "void" not in actions:
            self._intend(charge_id, "void")
        return charge

    async def refund(self, charge_id: str, amount: Money, *, reason: str, ref: str) -> Refund:
        """Refund part of a captured charge; ``charge_refunded`` is announced after the unit."""
        charge = self._get(charge_id)
        if (charge_id, ref) in self.refunds:
            return self.refunds[(charge_id, ref)]
        if amount.amount <= 0:
            raise InvalidInput(f"a refund must be positive, not {amount}", field="amount")
        if charge.status not in (ChargeStatus.CAPTURED, ChargeStatus.REFUNDED):
            raise Conflict(f"charge {charge_id} has no applied capture to refund yet")
        taken = allocate_refund(charge.parts, amount)  # refuses more than the parties hold
        parts = {party: charge.parts[party] - taken[party] for party in charge.parts}
        refunded = charge.refunded + amount
        status = ChargeStatus.REFUNDED if refunded == charge.amount else charge.status
        self.charges[charge_id] = charge.model_copy(
            update={"parts": parts, "refunded": refunded, "status": status}
        )
        record = Refund(
            id=f"re_{next(self._refund_ids)}",
            charge_id=charge_id,
            amount=amount,
            parts=taken,
            reason=reason,
        )
        self.refunds[(charge_id, ref)] = record
        self._intend(charge_id, "refund:" + ref)
        return record
