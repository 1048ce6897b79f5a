"""Payment gateways behind one interface, and the sandbox gateway (the embedded default).

A gateway is called only after the transaction that recorded the intent has committed, always
with the intent's idempotency key, so a repeated call has no second effect. Its answer is an
`GatewayOutcome`; the settlement service applies it to the ledger exactly once. The ledger never
trusts a gateway's totals: it posts only the amounts it asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol

from linli_sdk import Money
from linli_sdk.revenue_share import BASIS_POINTS_WHOLE

from .reconciliation import Record

__all__ = ["Gateway", "GatewayOutcome", "GatewayStatus", "SandboxGateway"]


class GatewayStatus(StrEnum):
    """What the gateway says happened."""

    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    VOIDED = "voided"
    REFUNDED = "refunded"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class GatewayOutcome:
    """A gateway's answer: its own id for the payment or refund, the status, and its fee."""

    ref: str
    status: GatewayStatus
    fee: int = 0
    test_money: bool = False


class Gateway(Protocol):
    """What settlement needs from a payment gateway; every call carries an idempotency key."""

    name: str
    test_money: bool

    async def authorize(self, *, key: str, amount: Money, capture: bool) -> GatewayOutcome:
        """Authorise ``amount`` (and capture it at once if ``capture``)."""
        ...

    async def capture(self, *, key: str, payment_ref: str, amount: Money) -> GatewayOutcome:
        """Capture an authorised payment."""
        ...

    async def void(self, *, key: str, payment_ref: str) -> GatewayOutcome:
        """Release an authorised payment."""
        ...

    async def refund(self, *, key: str, payment_ref: str, amount: Money) -> GatewayOutcome:
        """Refund part or all of a captured payment."""
        ...

    async def records(self, key_prefix: str) -> list[Record]:
        """The gateway's own payments and refunds made under keys starting with ``key_prefix``."""
        ...


@dataclass
class SandboxGateway:
    """The built-in gateway: instant, in-process, deterministic — and always test money.

    It answers every call at once; a key it has seen returns the first answer (so ``effects``
    counts distinct effects). Its fee is ``floor(amount * fee_basis_points / 10000)``. It keeps
    its payments and refunds for reconciliation, like a real gateway's records.
    """

    fee_basis_points: int = 60
    name: str = "sandbox"
    test_money: bool = True
    effects: dict[str, GatewayOutcome] = field(default_factory=dict)
    payments: dict[str, Record] = field(default_factory=dict)
    refunds: dict[str, Record] = field(default_factory=dict)

    def _once(self, key: str, outcome: GatewayOutcome) -> GatewayOutcome:
        return self.effects.setdefault(key, outcome)

    def _move(self, payment_ref: str, status: GatewayStatus) -> None:
        if payment_ref in self.payments:
            self.payments[payment_ref] = replace(self.payments[payment_ref], status=str(status))

    def fee(self, amount: Money) -> int:
        """The sandbox's fee for capturing ``amount``."""
        return amount.amount * self.fee_basis_points // BASIS_POINTS_WHOLE

    async def authorize(self, *, key: str, amount: Money, capture: bool) -> GatewayOutcome:
        """Authorise (and capture) at once."""
        if key in self.effects:
            return self.effects[key]
        status = GatewayStatus.CAPTURED if capture else GatewayStatus.AUTHORIZED
        ref = f"sbx_{key}"
        self.payments[ref] = Record(key, "payment", amount.amount, amount.currency, str(status))
        fee = self.fee(amount) if capture else 0
        return self._once(key, GatewayOutcome(ref, status, fee, True))

    async def capture(self, *, key: str, payment_ref: str, amount: Money) -> GatewayOutcome:
        """Capture at once."""
        if key not in self.effects:
            self._move(payment_ref, GatewayStatus.CAPTURED)
        outcome = GatewayOutcome(payment_ref, GatewayStatus.CAPTURED, self.fee(amount), True)
        return self._once(key, outcome)

    async def void(self, *, key: str, payment_ref: str) -> GatewayOutcome:
        """Release at once."""
        if key not in self.effects:
            self._move(payment_ref, GatewayStatus.VOIDED)
        return self._once(key, GatewayOutcome(payment_ref, GatewayStatus.VOIDED, 0, True))

    async def refund(self, *, key: str, payment_ref: str, amount: Money) -> GatewayOutcome:
        """Refund at once (the sandbox keeps its fee, like real gateways)."""
        if key not in self.effects:
            status = str(GatewayStatus.REFUNDED)
            self.refunds[key] = Record(key, "refund", amount.amount, amount.currency, status)
        return self._once(key, GatewayOutcome(f"sbx_{key}", GatewayStatus.REFUNDED, 0, True))

    async def records(self, key_prefix: str) -> list[Record]:
        """The sandbox's payments and refunds whose key starts with ``key_prefix``."""
        mine = [*self.payments.values(), *self.refunds.values()]
        return [record for record in mine if record.key.startswith(key_prefix)]
