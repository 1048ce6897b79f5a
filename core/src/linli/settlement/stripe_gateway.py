"""The Stripe gateway: PaymentIntents with manual capture, refunds, and signed webhooks.

Every call carries the intent's idempotency key (``Idempotency-Key``) and echoes it in the
object's ``metadata["linli_key"]``, so a webhook names the intent it answers. Webhooks are
verified with the endpoint's signing secret (`stripe.Webhook.construct_event`); the settlement
service de-duplicates them by event id. Stripe's totals are never trusted over the ledger: an
outcome only tells which of our postings to make.

Not built here: Connect (connected accounts, transfers, reversals), reading Stripe's fee from
the balance transaction (the fee is posted as zero), and client-side confirmation — the charge
is confirmed server-side with one configured payment method (test mode).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe
from linli_sdk import Money

from ..errors import Unauthorized
from .gateways import GatewayOutcome, GatewayStatus
from .reconciliation import Record

__all__ = ["StripeGateway", "WebhookOutcome"]

_MAX_PAGES = 1000
"""Pages of 100 objects read per listing during reconciliation (bounded)."""

_STATUS = {
    "requires_capture": GatewayStatus.AUTHORIZED,
    "succeeded": GatewayStatus.CAPTURED,
    "canceled": GatewayStatus.VOIDED,
}


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    """A verified Stripe event about one of our intents."""

    event_id: str
    intent_key: str
    outcome: GatewayOutcome


class StripeGateway:
    """Stripe through the official SDK (``stripe.StripeClient``, asynchronous over HTTPX)."""

    name = "stripe"

    def __init__(
        self, *, api_key: str, api_base: str, webhook_secret: str, payment_method: str
    ) -> None:
        self.client = stripe.StripeClient(
            api_key, base_addresses={"api": api_base}, http_client=stripe.HTTPXClient()
        )
        self.test_money = api_key.startswith("sk_test_")
        self._webhook_secret = webhook_secret
        self._payment_method = payment_method

    def _outcome(self, payment: Any) -> GatewayOutcome:
        status = _STATUS.get(payment["status"], GatewayStatus.FAILED)
        return GatewayOutcome(str(payment["id"]), status, 0, self.test_money)

    async def authorize(self, *, key: str, amount: Money, capture: bool) -> GatewayOutcome:
        """Create and confirm a PaymentIntent (manual capture unless ``capture``)."""
        payment = await self.client.v1.payment_intents.create_async(
            {
                "amount": amount.amount,
                "currency": amount.currency.lower(),
                "payment_method": self._payment_method,
                "confirm": True,
                "capture_method": "automatic" if capture else "manual",
                "metadata": {"linli_key": key},
            },
            {"idempotency_key": key},
        )
        return self._outcome(payment)

    async def capture(self, *, key: str, payment_ref: str, amount: Money) -> GatewayOutcome:
        """Capture the PaymentIntent ``payment_ref`` in full."""
        payment = await self.client.v1.payment_intents.capture_async(
            payment_ref, options={"idempotency_key": key}
        )
        return self._outcome(payment)

    async def void(self, *, key: str, payment_ref: str) -> GatewayOutcome:
        """Cancel the PaymentIntent ``payment_ref``."""
        payment = await self.client.v1.payment_intents.cancel_async(
            payment_ref, options={"idempotency_key": key}
        )
        return self._outcome(payment)

    async def refund(self, *, key: str, payment_ref: str, amount: Money) -> GatewayOutcome:
        """Refund ``amount`` of the PaymentIntent ``payment_ref``."""
        refund = await self.client.v1.refunds.create_async(
            {
                "payment_intent": payment_ref,
                "amount": amount.amount,
                "metadata": {"linli_key": key},
            },
            {"idempotency_key": key},
        )
        ok = refund.status in ("succeeded", "pending")
        status = GatewayStatus.REFUNDED if ok else GatewayStatus.FAILED
        return GatewayOutcome(refund.id, status, 0, self.test_money)

    async def records(self, key_prefix: str) -> list[Record]:
        """Stripe's PaymentIntents and refunds made under keys starting with ``key_prefix``."""
        found = []
        for kind, listing in (
            ("payment", self.client.v1.payment_intents),
            ("refund", self.client.v1.refunds),
        ):
            params: dict[str, Any] = {"limit": 100}
            for _ in range(_MAX_PAGES):
                page = await listing.list_async(params)  # type: ignore[arg-type]
                for item in page.data:
                    raw = item.to_dict()
                    key = str((raw.get("metadata") or {}).get("linli_key", ""))
                    if key.startswith(key_prefix):
                        status = self._outcome(raw).status if kind == "payment" else "refunded"
                        currency = str(raw["currency"]).upper()
                        found.append(Record(key, kind, int(raw["amount"]), currency, str(status)))
                if not page.has_more or not page.data:
                    break
                params["starting_after"] = page.data[-1].id
        return found

    def verify(self, payload: bytes, signature: str | None) -> WebhookOutcome | None:
        """Verify a webhook; its outcome if it is about one of our PaymentIntents, else ``None``.

        Raises:
            Unauthorized: The signature does not verify (the body is not trusted).

        """
        try:
            event = stripe.Webhook.construct_event(payload, signature, self._webhook_secret)
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise Unauthorized(f"the Stripe signature does not verify: {exc}") from exc
        if not event.type.startswith("payment_intent."):
            return None
        payment = event.data.object.to_dict()
        key = (payment.get("metadata") or {}).get("linli_key")
        if not key:
            return None
        return WebhookOutcome(event.id, str(key), self._outcome(payment))
