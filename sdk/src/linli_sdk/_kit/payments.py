"""The kit's payments port: charges split by revenue-share rules, refunds, payout holds.

As on the platform, the gateway answers only after the unit of work that asked it has returned:
a new charge reads ``pending`` inside that unit, a capture or void is carried out after it.
The kit calls :meth:`KitPayments.settle` once a unit has returned (the platform's commit).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from ..errors import Conflict, InvalidInput, NotFound
from ..host import Charge, ChargeStatus, Refund
from ..manifest import Manifest
from ..money import Money
from ..revenue_share import RevenueShareRules, split
from ..revenue_share import refund as allocate_refund

_TAKEN = frozenset({"charge", "capture"})
"""Actions after which the charge's money is (or will be) taken."""


class KitPayments:
    """The payments port: charges, captures, voids and refunds kept in memory.

    ``charges`` by id; ``refunds`` by ``(charge id, ref)`` (a ref is scoped to its charge, as
    on the platform); ``rules`` the revenue-share rules each charge was made under (the
    declared rules with the community's overrides at the time, see :meth:`set_overrides`);
    ``actions`` every gateway action asked per charge, and ``queue`` those the gateway has
    not carried out yet.
    """

    def __init__(self, manifest: Manifest, clock: Callable[[], datetime]) -> None:
        self._manifest = manifest
        self._now = clock
        self.charges: dict[str, Charge] = {}
        self.refunds: dict[tuple[str, str], Refund] = {}
        self.rules: dict[str, RevenueShareRules] = {}
        self.actions: dict[str, tuple[str, ...]] = {}
        self.queue: list[tuple[str, str]] = []
        self.captured_at: dict[str, datetime] = {}
        self.released_at: dict[str, datetime] = {}
        self.declines: list[str] = []
        self.overrides: dict[str, int | Money] = {}
        self._ids = itertools.count(1)
        self._refund_ids = itertools.count(1)

    def decline_next(self, reason: str = "card_declined") -> None:
        """Make the gateway refuse the next charge, as a declined card does on the platform.

        Inside the unit of work that charges, the charge is ``pending``; once that unit has
        returned, the charge is ``failed`` and the kit delivers the event
        ``settlement.charge_failed`` (:data:`~linli_sdk.CHARGE_FAILED`) to ``linli_event``
        with ``reason`` — what the platform does once the gateway answers after the commit.
        Call it again to refuse more charges, one each.
        """
        self.declines.append(reason)

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

    def _intend(self, charge_id: str, action: str) -> None:
        self.actions[charge_id] = (*self.actions.get(charge_id, ()), action)
        self.queue.append((charge_id, action))

    async def charge(
        self,
        *,
        order_ref: str,
        amount: Money,
        payer_id: int,
        payees: Mapping[str, int],
        capture: bool = True,
    ) -> Charge:
        if amount.amount <= 0:
            raise InvalidInput(f"a charge must be positive, not {amount}", field="amount")
        for existing in self.charges.values():
            if existing.order_ref == order_ref:
                return existing
        rules = self.effective_rules()
        rules.check_payees(payees)
        split(rules, amount)  # refuses a negative remainder up front
        charge = Charge(
            id=f"ch_{next(self._ids)}",
            order_ref=order_ref,
            amount=amount,
            status=ChargeStatus.PENDING,  # the gateway answers once the unit has returned
            parts={},
            refunded=Money.zero(amount.currency),
        )
        self.charges[charge.id] = charge
        self.rules[charge.id] = rules
        if self.declines:  # the gateway will refuse it
            self._intend(charge.id, "decline:" + self.declines.pop(0))
        else:
            self._intend(charge.id, "charge" if capture else "authorize")
        return charge

    def _get(self, charge_id: str) -> Charge:
        if charge_id not in self.charges:
            raise NotFound(f"no charge {charge_id} of module {self._manifest.name}")
        return self.charges[charge_id]

    def _refused(self, charge_id: str) -> bool:
        return any(a.startswith("decline:") for a in self.actions.get(charge_id, ()))

    async def capture(self, charge_id: str) -> Charge:
        charge = self._get(charge_id)
        actions = set(self.actions.get(charge_id, ()))
        if "void" in actions:
            raise Conflict(f"charge {charge_id} was voided; it cannot be captured")
        if self._refused(charge_id):
            raise Conflict(f"charge {charge_id} failed: the gateway refused it")
        if not actions & _TAKEN:
            self._intend(charge_id, "capture")
        return charge

    async def release(self, charge_id: str) -> Charge:
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

    async def void(self, charge_id: str) -> Charge:
        charge = self._get(charge_id)
        if self._refused(charge_id):
            return charge  # nothing is held: nothing to release
        actions = set(self.actions.get(charge_id, ()))
        if actions & _TAKEN:
            raise Conflict(f"charge {charge_id} is captured: refund it instead of voiding")
        if "void" not in actions:
            self._intend(charge_id, "void")
        return charge

    async def refund(self, charge_id: str, amount: Money, *, reason: str, ref: str) -> Refund:
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
        return record

    def settle(self) -> list[tuple[Charge, str]]:
        """Carry out what the gateway was asked, as the platform does after a commit.

        A charge becomes ``captured`` (split by its rules) or ``authorized``; a capture
        splits an authorised charge; a void releases it; a charge `decline_next` marked
        becomes ``failed``.

        Returns:
            The charges the gateway refused, each with the decline reason.

        """
        refused: list[tuple[Charge, str]] = []
        while self.queue:
            charge_id, action = self.queue.pop(0)
            charge = self.charges[charge_id]
            if action.startswith("decline:"):
                failed = charge.model_copy(update={"status": ChargeStatus.FAILED})
                self.charges[charge_id] = failed
                refused.append((failed, action.removeprefix("decline:")))
            elif action == "authorize" and charge.status is ChargeStatus.PENDING:
                self.charges[charge_id] = charge.model_copy(
                    update={"status": ChargeStatus.AUTHORIZED}
                )
            elif action == "charge" or (
                action == "capture" and charge.status is ChargeStatus.AUTHORIZED
            ):
                parts = split(self.rules[charge_id], charge.amount)
                self.charges[charge_id] = charge.model_copy(
                    update={"status": ChargeStatus.CAPTURED, "parts": parts}
                )
                self.captured_at[charge_id] = self._now()
            elif action == "void" and charge.status is ChargeStatus.AUTHORIZED:
                self.charges[charge_id] = charge.model_copy(update={"status": ChargeStatus.VOIDED})
        return refused
