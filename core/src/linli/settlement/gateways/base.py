"""Payment gateways behind one interface: the `Gateway` protocol and what it answers.

A gateway is called only after the transaction that recorded the intent has committed, always
with the intent's idempotency key, so a repeated call has no second effect. Its answer is an
`GatewayOutcome`; the settlement service applies it to the ledger exactly once. The ledger never
trusts a gateway's totals: it posts only the amounts it asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from linli_sdk import Money

from ..reconciliation import Record

__all__ = ["Gateway", "GatewayOutcome", "GatewayStatus"]


class GatewayStatus(StrEnum):
    """What the gateway says happened."""

    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    VOIDED = "voided"
    REFUNDED = "refunded"
    FAILED = "failed"
    TRANSFERRED = "transferred"
    """A payout reached the payee's connected account."""
    REVERSED = "reversed"
    """A transfer (or part of it) was taken back from the connected account."""
    INSUFFICIENT_BALANCE = "insufficient_balance"
    """The connected account cannot cover a reversal (the money was already paid out)."""


@dataclass(frozen=True, slots=True)
class GatewayOutcome:
    """A gateway's answer: its own id for the payment or refund, the status, and its fee.

    ``reason`` says why a payment was refused (the gateway's decline code), else is empty.
    """

    ref: str
    status: GatewayStatus
    fee: int = 0
    test_money: bool = False
    reason: str = ""


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

    async def capture_fee(self, outcome: GatewayOutcome, amount: Money) -> int:
        """The gateway's fee for a captured payment, in ``amount``'s currency and minor units."""
        ...

    async def open_account(self, *, key: str, member_id: int, email: str | None) -> str:
        """Open a connected account for a payee; its id (the same ``key``, the same account)."""
        ...

    async def onboarding_link(self, *, account: str, refresh_url: str, return_url: str) -> str:
        """A one-time link where the payee completes the connected account's onboarding."""
        ...

    async def transfer(
        self, *, key: str, destination: str, amount: Money, group: str
    ) -> GatewayOutcome:
        """Move ``amount`` from the platform's balance to the connected account ``destination``."""
        ...

    async def reverse(self, *, key: str, transfer_ref: str, amount: Money) -> GatewayOutcome:
        """Take ``amount`` of the transfer ``transfer_ref`` back from its connected account."""
        ...

    async def records(self, key_prefix: str) -> list[Record]:
        """The gateway's payments, refunds, transfers and reversals under ``key_prefix`` keys."""
        ...
