"""The sandbox gateway: test money, instant answers, the embedded default."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from linli_sdk import Money
from linli_sdk.revenue_share import BASIS_POINTS_WHOLE

from ..reconciliation import Record
from .base import GatewayOutcome, GatewayStatus

__all__ = ["SandboxGateway"]


@dataclass
class SandboxGateway:
    """The built-in gateway: instant, in-process, deterministic — and always test money.

    It answers every call at once; a key it has seen returns the first answer (so ``effects``
    counts distinct effects). Its fee is ``floor(amount * fee_basis_points / 10000)``. It keeps
    its payments and refunds for reconciliation, like a real gateway's records. `decline_next`
    makes it refuse payments, as a declined card does.
    """

    fee_basis_points: int = 60
    name: str = "sandbox"
    test_money: bool = True
    effects: dict[str, GatewayOutcome] = field(default_factory=dict)
    payments: dict[str, Record] = field(default_factory=dict)
    refunds: dict[str, Record] = field(default_factory=dict)
    transfers: dict[str, Record] = field(default_factory=dict)
    balances: dict[str, int] = field(default_factory=dict)
    """What each connected account holds of our transfers (see `spend`)."""
    declines: list[str] = field(default_factory=list)
    """Decline codes of the next payments to refuse, one each (see `decline_next`)."""
    _destinations: dict[str, str] = field(default_factory=dict)

    def decline_next(self, reason: str = "card_declined") -> None:
        """Refuse the next new payment (an authorisation or charge) with ``reason``.

        The refusal is remembered under its key, so a retry, the sweep or a replayed webhook
        all see the same answer.
        """
        self.declines.append(reason)

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
        ref = f"sbx_{key}"
        if self.declines:
            reason = self.declines.pop(0)
            self.payments[ref] = Record(key, "payment", amount.amount, amount.currency, "failed")
            return self._once(key, GatewayOutcome(ref, GatewayStatus.FAILED, 0, True, reason))
        status = GatewayStatus.CAPTURED if capture else GatewayStatus.AUTHORIZED
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

    async def capture_fee(self, outcome: GatewayOutcome, amount: Money) -> int:
        """The fee the sandbox answered with the capture."""
        return outcome.fee

    async def open_account(self, *, key: str, member_id: int, email: str | None) -> str:
        """A sandbox account, ready at once."""
        return f"sbx_acct_m{member_id}"

    async def onboarding_link(self, *, account: str, refresh_url: str, return_url: str) -> str:
        """The sandbox needs no onboarding: the link returns at once."""
        return return_url

    async def transfer(
        self, *, key: str, destination: str, amount: Money, group: str
    ) -> GatewayOutcome:
        """Credit the connected account at once."""
        if key not in self.effects:
            status = str(GatewayStatus.TRANSFERRED)
            self.transfers[key] = Record(key, "transfer", amount.amount, amount.currency, status)
            self.balances[destination] = self.balances.get(destination, 0) + amount.amount
            self._destinations[f"sbx_{key}"] = destination
        outcome = GatewayOutcome(f"sbx_{key}", GatewayStatus.TRANSFERRED, 0, True)
        return self._once(key, outcome)

    async def reverse(self, *, key: str, transfer_ref: str, amount: Money) -> GatewayOutcome:
        """Take it back at once, if the connected account still holds it."""
        if key in self.effects:
            return self.effects[key]
        destination = self._destinations.get(transfer_ref, "")
        if self.balances.get(destination, 0) < amount.amount:  # like Stripe: not remembered
            return GatewayOutcome("", GatewayStatus.INSUFFICIENT_BALANCE, 0, True)
        self.balances[destination] -= amount.amount
        status = str(GatewayStatus.REVERSED)
        self.transfers[key] = Record(key, "reversal", amount.amount, amount.currency, status)
        return self._once(key, GatewayOutcome(f"sbx_{key}", GatewayStatus.REVERSED, 0, True))

    def spend(self, destination: str, amount: int) -> None:
        """The payee moves ``amount`` out of its connected account (to its bank)."""
        self.balances[destination] = self.balances.get(destination, 0) - amount

    async def records(self, key_prefix: str) -> list[Record]:
        """The sandbox's objects whose key starts with ``key_prefix``."""
        mine = [*self.payments.values(), *self.refunds.values(), *self.transfers.values()]
        return [record for record in mine if record.key.startswith(key_prefix)]
