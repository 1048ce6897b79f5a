"""The kit's gateway: what was asked of it per charge, carried out after the unit of work.

As on the platform, the gateway answers only after the unit of work that asked it has returned:
a new charge reads ``pending`` inside that unit, a capture or void is carried out after it.
The kit calls :meth:`KitGateway.settle` once a unit has returned (the platform's commit); the
settlement events the answers make (failed, captured, refunded) are announced then, once each.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import datetime

from ..errors import NotFound
from ..host import CHARGE_CAPTURED, CHARGE_FAILED, CHARGE_REFUNDED, Charge, ChargeStatus, Refund
from ..manifest import Manifest
from ..money import Money
from ..revenue_share import RevenueShareRules, split

TAKEN = frozenset({"charge", "capture"})
"""Actions after which the charge's money is (or will be) taken."""

Announcement = tuple[str, dict[str, object]]
"""A settlement event the kit delivers: its type and payload."""


class KitGateway:
    """Charges and what the gateway was asked about each, kept in memory.

    ``charges`` by id; ``refunds`` by ``(charge id, ref)`` (a ref is scoped to its charge, as
    on the platform); ``rules`` the rules each charge is split by when captured; ``payees``
    who each party is, per charge; ``actions`` every gateway action asked per charge, and
    ``queue`` those the gateway has not carried out yet; ``announced`` the settlement events
    (type, payload) the kit has not delivered yet.
    """

    def __init__(self, manifest: Manifest, clock: Callable[[], datetime]) -> None:
        self._manifest = manifest
        self._now = clock
        self.charges: dict[str, Charge] = {}
        self.refunds: dict[tuple[str, str], Refund] = {}
        self.rules: dict[str, RevenueShareRules] = {}
        self.payees: dict[str, dict[str, int]] = {}
        self.actions: dict[str, tuple[str, ...]] = {}
        self.queue: list[tuple[str, str]] = []
        self.captured_at: dict[str, datetime] = {}
        self.declines: list[str] = []
        self.announced: list[Announcement] = []
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

    def _intend(self, charge_id: str, action: str) -> None:
        self.actions[charge_id] = (*self.actions.get(charge_id, ()), action)
        self.queue.append((charge_id, action))

    def _existing(self, order_ref: str) -> Charge | None:
        """The charge already made for ``order_ref``, if any (charging again returns it)."""
        return next((c for c in self.charges.values() if c.order_ref == order_ref), None)

    def _open(
        self,
        *,
        order_ref: str,
        amount: Money,
        payees: Mapping[str, int],
        rules: RevenueShareRules,
        capture: bool,
        expires_at: datetime | None = None,
    ) -> Charge:
        """Record a new ``pending`` charge and ask the gateway to take or authorise it."""
        rules.check_payees(payees)
        split(rules, amount)  # refuses a negative remainder up front
        charge = Charge(
            id=f"ch_{next(self._ids)}",
            order_ref=order_ref,
            amount=amount,
            status=ChargeStatus.PENDING,  # the gateway answers once the unit has returned
            parts={},
            refunded=Money.zero(amount.currency),
            deposit=expires_at is not None,
            expires_at=expires_at,
        )
        self.charges[charge.id] = charge
        self.rules[charge.id] = rules
        self.payees[charge.id] = dict(payees)
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

    def _announce(self, type: str, charge: Charge, **extra: object) -> Announcement:
        """Queue a settlement event about ``charge`` for the module, as the platform's outbox."""
        payload: dict[str, object] = {
            "charge_id": charge.id,
            "order_ref": charge.order_ref,
            "module": self._manifest.name,
            "amount": charge.amount.model_dump(mode="json"),
        }
        announcement = (type, payload | extra)
        self.announced.append(announcement)
        return announcement

    def settle(self) -> list[Announcement]:
        """Carry out what the gateway was asked, as the platform does after a commit.

        A charge becomes ``captured`` (split by its rules) or ``authorized``; a capture
        splits an authorised charge (or deposit); a void releases it; a charge
        `decline_next` marked becomes ``failed``. Each answer that tells the module
        something is announced once: ``settlement.charge_failed``, ``charge_captured``
        and, for each refund, ``charge_refunded``. The kit delivers them after the unit.

        Returns:
            The settlement events this call announced, in order.

        """
        start = len(self.announced)
        while self.queue:
            charge_id, action = self.queue.pop(0)
            charge = self.charges[charge_id]
            if action.startswith("decline:"):
                failed = charge.model_copy(update={"status": ChargeStatus.FAILED})
                self.charges[charge_id] = failed
                self._announce(CHARGE_FAILED, failed, reason=action.removeprefix("decline:"))
            elif action == "authorize" and charge.status is ChargeStatus.PENDING:
                self.charges[charge_id] = charge.model_copy(
                    update={"status": ChargeStatus.AUTHORIZED}
                )
            elif action == "charge" or (
                action == "capture" and charge.status is ChargeStatus.AUTHORIZED
            ):
                parts = split(self.rules[charge_id], charge.amount)
                captured = charge.model_copy(
                    update={"status": ChargeStatus.CAPTURED, "parts": parts}
                )
                self.charges[charge_id] = captured
                self.captured_at[charge_id] = self._now()
                self._announce(CHARGE_CAPTURED, captured)
            elif action == "void" and charge.status is ChargeStatus.AUTHORIZED:
                self.charges[charge_id] = charge.model_copy(update={"status": ChargeStatus.VOIDED})
            elif action.startswith("refund:"):
                ref = action.removeprefix("refund:")
                refunded = self.refunds[(charge_id, ref)].amount
                self._announce(
                    CHARGE_REFUNDED, charge, amount=refunded.model_dump(mode="json"), ref=ref
                )
        return self.announced[start:]
