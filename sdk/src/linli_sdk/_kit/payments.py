"""The kit's payments port: charges split by revenue-share rules, refunds, deposits, holds."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from ..errors import Conflict, InvalidInput, NotFound
from ..host import (
    CHARGE_CAPTURED,
    CHARGE_PAID_OUT,
    CHARGE_REFUNDED,
    Charge,
    ChargeStatus,
    Refund,
)
from ..manifest import Manifest
from ..money import Money
from ..revenue_share import RevenueShareRules, split
from ..revenue_share import refund as allocate_refund


class KitPayments:
    """The payments port: charges, captures, voids and refunds kept in memory."""

    def __init__(self, manifest: Manifest, clock: Callable[[], datetime]) -> None:
        self._manifest = manifest
        self._now = clock
        self.charges: dict[str, Charge] = {}
        self.refunds: dict[str, Refund] = {}
        self.captured_at: dict[str, datetime] = {}
        self.released_at: dict[str, datetime] = {}
        self.declines: list[str] = []
        self.refused: list[tuple[str, str]] = []
        self.payees: dict[str, dict[str, int]] = {}
        self.paid_out: set[str] = set()
        self.announced: list[tuple[str, dict[str, object]]] = []
        """Settlement events (type, payload) the kit delivers once the unit of work returns."""
        self._ids = itertools.count(1)

    def decline_next(self, reason: str = "card_declined") -> None:
        """Make the gateway refuse the next charge, as a declined card does on the platform.

        Inside the unit of work that charges, the charge is ``pending``; once that unit has
        returned, the charge is ``failed`` and the kit delivers the event
        ``settlement.charge_failed`` (:data:`~linli_sdk.CHARGE_FAILED`) to ``linli_event``
        with ``reason`` — what the platform does once the gateway answers after the commit.
        Call it again to refuse more charges, one each.
        """
        self.declines.append(reason)

    def _rules(self) -> RevenueShareRules:
        if self._manifest.revenue_share is None:
            raise InvalidInput(f"module {self._manifest.name} declares no revenue-share rules")
        return self._manifest.revenue_share

    async def charge(
        self,
        *,
        order_ref: str,
        amount: Money,
        payer_id: int,
        payees: Mapping[str, int],
        capture: bool = True,
    ) -> Charge:
        for existing in self.charges.values():
            if existing.order_ref == order_ref:
                return existing
        parts = split(self._rules(), amount)  # refuses a negative remainder up front
        if self.declines:  # the gateway will refuse it once the unit of work has returned
            refused = Charge(
                id=f"ch_{next(self._ids)}",
                order_ref=order_ref,
                amount=amount,
                status=ChargeStatus.PENDING,
                parts={},
                refunded=Money.zero(amount.currency),
            )
            self.charges[refused.id] = refused
            self.refused.append((refused.id, self.declines.pop(0)))
            return refused
        charge = Charge(
            id=f"ch_{next(self._ids)}",
            order_ref=order_ref,
            amount=amount,
            status=ChargeStatus.CAPTURED if capture else ChargeStatus.AUTHORIZED,
            parts=parts if capture else {},
            refunded=Money.zero(amount.currency),
        )
        self.charges[charge.id] = charge
        self.payees[charge.id] = dict(payees)
        if capture:
            self.captured_at[charge.id] = self._now()
            self._announce(CHARGE_CAPTURED, charge)
        return charge

    async def hold_deposit(
        self,
        *,
        order_ref: str,
        amount: Money,
        payer_id: int,
        payees: Mapping[str, int],
        expires_at: datetime,
    ) -> Charge:
        for existing in self.charges.values():
            if existing.order_ref == order_ref:
                return existing
        rules = self._manifest.deposit_rules
        if rules is None:
            raise InvalidInput(f"module {self._manifest.name} declares no deposit_rules")
        if amount.amount <= 0:
            raise InvalidInput(f"a deposit must be positive, not {amount}", field="amount")
        if expires_at <= self._now():
            raise InvalidInput("a deposit must expire in the future", field="expires_at")
        split(rules, amount)  # refuses a negative remainder up front
        deposit = Charge(
            id=f"ch_{next(self._ids)}",
            order_ref=order_ref,
            amount=amount,
            status=ChargeStatus.AUTHORIZED,
            parts={},
            refunded=Money.zero(amount.currency),
            deposit=True,
            expires_at=expires_at,
        )
        self.charges[deposit.id] = deposit
        self.payees[deposit.id] = dict(payees)
        return deposit

    def _announce(self, type: str, charge: Charge, **extra: object) -> None:
        payload: dict[str, object] = {
            "charge_id": charge.id,
            "order_ref": charge.order_ref,
            "module": self._manifest.name,
            "amount": charge.amount.model_dump(mode="json"),
        }
        self.announced.append((type, payload | extra))

    def _get(self, charge_id: str) -> Charge:
        if charge_id not in self.charges:
            raise NotFound(f"no charge {charge_id}")
        return self.charges[charge_id]

    async def get(self, charge_id: str) -> Charge:
        return self._get(charge_id)

    async def capture(self, charge_id: str) -> Charge:
        charge = self._get(charge_id)
        if charge.status is ChargeStatus.CAPTURED:
            return charge
        if charge.status is not ChargeStatus.AUTHORIZED:
            raise Conflict(f"charge {charge_id} is {charge.status}, cannot capture")
        if charge.expires_at is not None and charge.expires_at <= self._now():
            raise Conflict(f"deposit {charge_id} expired at {charge.expires_at}")
        rules = self._manifest.deposit_rules if charge.deposit else self._rules()
        assert rules is not None  # a deposit is held only under declared rules
        parts = split(rules, charge.amount)
        updated = charge.model_copy(update={"status": ChargeStatus.CAPTURED, "parts": parts})
        self.charges[charge_id] = updated
        self.captured_at[charge_id] = self._now()
        self._announce(CHARGE_CAPTURED, updated)
        return updated

    def expire_deposits(self) -> list[str]:
        """Void every deposit past its expiry, neither captured nor voided (the worker's job).

        Returns the ids voided. :meth:`PluginKit.advance` calls it after moving the clock.
        """
        expired = [
            c.id
            for c in self.charges.values()
            if c.deposit
            and c.status is ChargeStatus.AUTHORIZED
            and c.expires_at is not None
            and c.expires_at <= self._now()
        ]
        for charge_id in expired:
            self.charges[charge_id] = self.charges[charge_id].model_copy(
                update={"status": ChargeStatus.VOIDED}
            )
        return expired

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
        if charge.status in (ChargeStatus.VOIDED, ChargeStatus.FAILED):
            return charge  # nothing is held: nothing to release
        if charge.status is not ChargeStatus.AUTHORIZED:
            raise Conflict(f"charge {charge_id} is {charge.status}, cannot void")
        updated = charge.model_copy(update={"status": ChargeStatus.VOIDED})
        self.charges[charge_id] = updated
        return updated

    async def refund(self, charge_id: str, amount: Money, *, reason: str, ref: str) -> Refund:
        if ref in self.refunds:
            return self.refunds[ref]
        charge = self._get(charge_id)
        if charge.status not in (ChargeStatus.CAPTURED,):
            raise Conflict(f"charge {charge_id} is {charge.status}, cannot refund")
        taken = allocate_refund(charge.parts, amount)
        parts = {party: charge.parts[party] - taken[party] for party in charge.parts}
        refunded = charge.refunded + amount
        status = ChargeStatus.REFUNDED if refunded == charge.amount else charge.status
        self.charges[charge_id] = charge.model_copy(
            update={"parts": parts, "refunded": refunded, "status": status}
        )
        record = Refund(
            id=f"re_{len(self.refunds) + 1}",
            charge_id=charge_id,
            amount=amount,
            parts=taken,
            reason=reason,
        )
        self.refunds[ref] = record
        self._announce(
            CHARGE_REFUNDED,
            charge,
            amount=amount.model_dump(mode="json"),
            ref=ref,
        )
        return record
