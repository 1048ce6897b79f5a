"""The Stripe gateway: PaymentIntents with manual capture, refunds, signed webhooks, Connect.

Every call carries an idempotency key (``Idempotency-Key``) derived from the ledger's ids and
stored before the call, and echoes it in the object's ``metadata["linli_key"]``, so a webhook or
a listing names the intent it answers. Webhooks are verified with the endpoint's signing secret
(`stripe.Webhook.construct_event`); the settlement service de-duplicates them by event id.
Stripe's totals are never trusted over the ledger: an outcome only tells which of our postings
to make.

Connect is "separate charges and transfers": the platform charges the payer, then a payout
batch transfers each payee's net share to its connected account (Express, onboarded through an
account link) with a ``transfer_group`` naming the payout's ledger transaction; a refund after
a payout is clawed back with a transfer reversal, which Stripe refuses
(``balance_insufficient``) when the connected account no longer holds the money.

Not built here: client-side confirmation — the charge is confirmed server-side with one
configured payment method (test mode).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import stripe
from linli_sdk import Money

from linli.errors import Unauthorized
from linli.settlement.gateways.base import GatewayOutcome, GatewayStatus
from linli.settlement.reconciliation import Record

__all__ = ["StripeGateway", "WebhookOutcome"]

log = logging.getLogger(__name__)

_MAX_PAGES = 1000
"""Pages of 100 objects read per listing during reconciliation (bounded)."""

_DONE = {"refund": "refunded", "transfer": "transferred", "reversal": "reversed"}
"""The status a listed refund, transfer or reversal has on our side once applied."""

_STATUS = {
    "requires_capture": GatewayStatus.AUTHORIZED,
    "succeeded": GatewayStatus.CAPTURED,
    "canceled": GatewayStatus.VOIDED,
    "requires_payment_method": GatewayStatus.FAILED,  # the payment attempt was declined
}
"""PaymentIntent statuses that answer an intent; others (``processing``...) are not final."""


def _decline_reason(error: Any) -> str:
    """The decline code of a Stripe error object (or a PaymentIntent's last payment error)."""
    error = error or {}
    return str(error.get("decline_code") or error.get("code") or "declined")


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    """A verified Stripe event about one of our intents."""

    event_id: str
    intent_key: str
    outcome: GatewayOutcome


async def _listed(listing: Any, *within: str) -> AsyncIterator[dict[str, Any]]:
    """Every object of a Stripe listing (of the parent ``within``, if any), page by page."""
    params: dict[str, Any] = {"limit": 100}
    for _ in range(_MAX_PAGES):
        page = await listing.list_async(*within, params)
        for item in page.data:
            yield item.to_dict()
        if not page.has_more or not page.data:
            return
        params["starting_after"] = page.data[-1].id


class StripeGateway:
    """Stripe through the official SDK (``stripe.StripeClient``, asynchronous over HTTPX)."""

    name = "stripe"

    def __init__(
        self,
        *,
        api_key: str,
        api_base: str,
        webhook_secret: str,
        payment_method: str,
        connect_api_base: str | None = None,
    ) -> None:
        self.client = stripe.StripeClient(
            api_key, base_addresses={"api": api_base}, http_client=stripe.HTTPXClient()
        )
        self.connect = (
            self.client
            if connect_api_base in (None, api_base)
            else stripe.StripeClient(
                api_key,
                base_addresses={"api": connect_api_base},
                http_client=stripe.HTTPXClient(),
            )
        )
        self.test_money = api_key.startswith("sk_test_")
        self._webhook_secret = webhook_secret
        self._payment_method = payment_method

    def _outcome(self, payment: Any) -> GatewayOutcome:
        status = _STATUS.get(payment["status"], GatewayStatus.FAILED)
        reason = ""
        if status is GatewayStatus.FAILED:
            reason = _decline_reason(payment.get("last_payment_error"))
        return GatewayOutcome(str(payment["id"]), status, 0, self.test_money, reason)

    def _refused(self, error: stripe.StripeError) -> GatewayOutcome:
        """A payment Stripe refused (a declined card, an authorisation it cannot capture)."""
        body = error.json_body if isinstance(error.json_body, dict) else {}
        details = body.get("error") or {}
        payment = details.get("payment_intent") or {}
        log.info("Stripe refused payment %s: %s", payment.get("id", ""), error.user_message)
        reason = _decline_reason(details) if details else str(error.code or "declined")
        return GatewayOutcome(
            str(payment.get("id", "")), GatewayStatus.FAILED, 0, self.test_money, reason
        )

    async def authorize(self, *, key: str, amount: Money, capture: bool) -> GatewayOutcome:
        """Create and confirm a PaymentIntent (manual capture unless ``capture``).

        A declined card (``CardError``, replayed under the same key) is ``FAILED``.
        """
        try:
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
        except stripe.CardError as declined:
            return self._refused(declined)
        return self._outcome(payment)

    async def capture(self, *, key: str, payment_ref: str, amount: Money) -> GatewayOutcome:
        """Capture the PaymentIntent ``payment_ref`` in full.

        One that can no longer be captured (its authorisation expired or was cancelled:
        ``payment_intent_unexpected_state``) is ``FAILED``.
        """
        try:
            payment = await self.client.v1.payment_intents.capture_async(
                payment_ref, options={"idempotency_key": key}
            )
        except stripe.InvalidRequestError as refused:
            if refused.code != "payment_intent_unexpected_state":
                raise
            return self._refused(refused)
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

    async def capture_fee(self, outcome: GatewayOutcome, amount: Money) -> int:
        """Stripe's fee, read from the balance transaction of the PaymentIntent's latest charge.

        A balance transaction in another currency than the charge (a cross-currency
        settlement) cannot be posted against it: the fee is then logged and posted as zero.
        """
        payment = (await self.client.v1.payment_intents.retrieve_async(outcome.ref)).to_dict()
        charge = payment.get("latest_charge")
        if isinstance(charge, str):
            charge = (await self.client.v1.charges.retrieve_async(charge)).to_dict()
        txn = (charge or {}).get("balance_transaction")
        if isinstance(txn, str):
            txn = (await self.client.v1.balance_transactions.retrieve_async(txn)).to_dict()
        if not txn:
            return 0
        if str(txn["currency"]).upper() != amount.currency:
            log.warning("fee of %s settled in %s: posted as zero", outcome.ref, txn["currency"])
            return 0
        return int(txn["fee"])

    async def open_account(self, *, key: str, member_id: int, email: str | None) -> str:
        """Create an Express connected account for a payee (the same key: the same account)."""
        params: dict[str, Any] = {
            "type": "express",
            "capabilities": {"transfers": {"requested": True}},
            "metadata": {"linli_key": key, "linli_member": str(member_id)},
        }
        if email:
            params["email"] = email
        account = await self.connect.v1.accounts.create_async(
            params,  # type: ignore[arg-type]
            {"idempotency_key": key},
        )
        return str(account.id)

    async def onboarding_link(self, *, account: str, refresh_url: str, return_url: str) -> str:
        """An account link (``account_onboarding``): a one-time URL that expires in minutes."""
        link = await self.connect.v1.account_links.create_async(
            {
                "account": account,
                "refresh_url": refresh_url,
                "return_url": return_url,
                "type": "account_onboarding",
            },
            {"idempotency_key": f"{account}-onboarding-{refresh_url}-{return_url}"[:255]},
        )
        return str(link.url)

    async def transfer(
        self, *, key: str, destination: str, amount: Money, group: str
    ) -> GatewayOutcome:
        """Transfer ``amount`` to the connected account ``destination`` in ``group``.

        Stripe refusing it (e.g. an account whose onboarding is not finished) is ``FAILED``:
        Stripe remembers the refusal under the key, so the next batch pays under a new one.
        """
        try:
            made = await self.connect.v1.transfers.create_async(
                {
                    "amount": amount.amount,
                    "currency": amount.currency.lower(),
                    "destination": destination,
                    "transfer_group": group,
                    "metadata": {"linli_key": key},
                },
                {"idempotency_key": key},
            )
        except stripe.InvalidRequestError as refused:
            log.warning("Stripe refused transfer %s: %s", key, refused.user_message)
            return GatewayOutcome("", GatewayStatus.FAILED, 0, self.test_money)
        return GatewayOutcome(str(made.id), GatewayStatus.TRANSFERRED, 0, self.test_money)

    async def reverse(self, *, key: str, transfer_ref: str, amount: Money) -> GatewayOutcome:
        """Reverse ``amount`` of a transfer; ``INSUFFICIENT_BALANCE`` if the account lacks it."""
        try:
            reversal = await self.connect.v1.transfers.reversals.create_async(
                transfer_ref,
                {"amount": amount.amount, "metadata": {"linli_key": key}},
                {"idempotency_key": key},
            )
        except stripe.InvalidRequestError as refused:
            if refused.code == "balance_insufficient":
                return GatewayOutcome("", GatewayStatus.INSUFFICIENT_BALANCE, 0, self.test_money)
            log.warning("Stripe refused reversal %s: %s", key, refused.user_message)
            return GatewayOutcome("", GatewayStatus.FAILED, 0, self.test_money)
        return GatewayOutcome(str(reversal.id), GatewayStatus.REVERSED, 0, self.test_money)

    async def records(self, key_prefix: str) -> list[Record]:
        """Stripe's PaymentIntents, refunds, transfers and reversals under ``key_prefix`` keys."""
        found = []
        for kind, listing in (
            ("payment", self.client.v1.payment_intents),
            ("refund", self.client.v1.refunds),
            ("transfer", self.connect.v1.transfers),
        ):
            async for raw in _listed(listing):
                found += self._records_of(kind, raw, key_prefix)
                if kind == "transfer":
                    async for reversal in self._reversals(raw):
                        found += self._records_of("reversal", reversal, key_prefix)
        return found

    async def _reversals(self, transfer: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """A transfer's reversals: the ten most recent come embedded, the rest by listing."""
        embedded = transfer.get("reversals") or {}
        if not embedded.get("has_more"):
            for reversal in embedded.get("data", []):
                yield reversal
            return
        async for reversal in _listed(self.connect.v1.transfers.reversals, transfer["id"]):
            yield reversal

    def _records_of(self, kind: str, raw: dict[str, Any], key_prefix: str) -> list[Record]:
        key = str((raw.get("metadata") or {}).get("linli_key", ""))
        if not key.startswith(key_prefix):
            return []
        status = _DONE.get(kind) or str(self._outcome(raw).status)
        currency = str(raw["currency"]).upper()
        return [Record(key, kind, int(raw["amount"]), currency, status)]

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
        status = payment.get("status")
        if status == "requires_payment_method" and not payment.get("last_payment_error"):
            status = None  # created, not attempted yet
        if not key or status not in _STATUS:
            return None  # not ours, or not final yet (``processing``, ``requires_action``...)
        return WebhookOutcome(event.id, str(key), self._outcome(payment))
