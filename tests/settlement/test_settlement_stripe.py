"""The Stripe gateway through the real ``stripe`` SDK against localstripe on 127.0.0.1.

The platform serves on a real local port so localstripe's signed webhooks reach it; they race
the synchronous confirm and must not post anything twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import stripe
import uvicorn
from linli.dispatch.tables import OutboxEvent
from linli.http.app import create_app
from linli.settlement import store
from linli.settlement.tables import GatewayEvent, LedgerTxn
from linli_sdk import CHARGE_FAILED
from settlement_helpers import SHOP, cny, fee_of, free_port, order, per_currency, settlement

SECRET = "whsec_linli_test"


async def _payment_method(url: str, number: str = "4242424242424242") -> str:
    client = stripe.StripeClient(
        "sk_test_linli", base_addresses={"api": url}, http_client=stripe.HTTPXClient()
    )
    method = await client.v1.payment_methods.create_async(
        {
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    return method.id


async def _until(check, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


@asynccontextmanager
async def _on_stripe(start_shop, localstripe, connect_fake, card: str) -> AsyncIterator[Any]:
    """The shop on a platform paying with ``card`` through localstripe, its webhooks served."""
    method = await _payment_method(localstripe, card)
    options = {
        "settlement_gateway": "stripe",
        "settlement_stripe_api_key": "sk_test_linli",
        "settlement_stripe_api_base": localstripe,
        "settlement_stripe_connect_api_base": connect_fake[0],  # localstripe has no Connect
        "settlement_stripe_webhook_secret": SECRET,
        "settlement_stripe_payment_method": method,
    }
    async with start_shop(**options) as running:
        port = free_port()
        app = create_app(platform=running.platform)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
        )
        serving = asyncio.create_task(server.serve())
        try:
            await _until(lambda: asyncio.sleep(0, server.started))
            hook = f"http://127.0.0.1:{port}/v1/settlement/webhooks/stripe"
            async with httpx.AsyncClient() as http:
                registered = await http.post(
                    f"{localstripe}/_config/webhooks/linli", json={"url": hook, "secret": SECRET}
                )
                assert registered.status_code == 200
            yield running
        finally:
            server.should_exit = True
            await serving


@pytest.mark.slow
async def test_stripe_authorize_capture_refund_void_and_signed_webhooks(
    start_shop, localstripe, connect_fake
):
    async with _on_stripe(start_shop, localstripe, connect_fake, "4242424242424242") as running:
        await _scenario(running, localstripe)


@pytest.mark.slow
async def test_a_declined_card_fails_the_charge_once_whether_confirm_or_webhook_answers(
    start_shop, localstripe, connect_fake
):
    async with _on_stripe(start_shop, localstripe, connect_fake, "4000000000000341") as running:
        bought = await running.client.post(
            f"{SHOP}/buy", json=order(running, "declined"), headers=running.auth("resident")
        )
        assert bought.status_code == 200, bought.text
        await settlement(running).idle()
        charge_id = int(bought.json()["id"][3:])
        assert (await settlement(running).get(running.home, charge_id)).status == "failed"
        await _until(lambda: GatewayEvent.count())  # payment_intent.payment_failed arrived too
        failed = (
            await OutboxEvent.select(OutboxEvent.payload)
            .where(OutboxEvent.type == CHARGE_FAILED)
            .output(load_json=True)
        )
        assert [row["payload"]["charge_id"] for row in failed] == [f"ch_{charge_id}"]
        assert failed[0]["payload"]["reason"] == "card_declined"
        assert await LedgerTxn.count() == 0  # nothing authorised, nothing posted
        assert await settlement(running).reconcile(running.home.id) == []  # Stripe: failed as well


async def _scenario(running, localstripe: str) -> None:
    client, resident, leader = running.client, running.auth("resident"), running.auth("leader")
    gateway = settlement(running).gateway
    assert gateway.name == "stripe" and gateway.test_money

    held = await client.post(
        f"{SHOP}/buy", json=order(running, "s-1", capture=False), headers=resident
    )
    again = await client.post(
        f"{SHOP}/buy", json=order(running, "s-1", capture=False), headers=resident
    )
    assert held.json()["id"] == again.json()["id"]
    await settlement(running).idle()
    stripe_client = gateway.client  # type: ignore[attr-defined]
    intents = (await stripe_client.v1.payment_intents.list_async({"limit": 100})).data
    assert [p.status for p in intents] == ["requires_capture"]  # one PaymentIntent, held

    charge_id = held.json()["id"]
    taken = await client.post(f"{SHOP}/capture", json={"charge_id": charge_id}, headers=leader)
    assert taken.status_code == 200
    await settlement(running).idle()
    assert (await settlement(running).get(running.home, int(charge_id[3:]))).status == "captured"
    # localstripe sends payment_intent.succeeded about a second later: applied, posts nothing new
    await _until(lambda: GatewayEvent.count())
    assert await LedgerTxn.count().where(LedgerTxn.kind == "capture") == 1

    refund = {"charge_id": charge_id, "amount": cny(3_000), "ref": "after-sale-1"}
    refunded = await client.post(f"{SHOP}/compensate", json=refund, headers=leader)
    assert refunded.status_code == 200, refunded.text
    await settlement(running).idle()
    refunds = (await stripe_client.v1.refunds.list_async({"limit": 100})).data
    assert [(r.amount, r.metadata["linli_key"].endswith("after-sale-1")) for r in refunds] == [
        (3_000, True)
    ]
    assert await LedgerTxn.count().where(LedgerTxn.kind == "refund_paid") == 1

    dropped = await client.post(
        f"{SHOP}/buy", json=order(running, "s-2", capture=False), headers=resident
    )
    await settlement(running).idle()
    voided = await client.post(
        f"{SHOP}/void", json={"charge_id": dropped.json()["id"]}, headers=leader
    )
    assert voided.status_code == 200
    await settlement(running).idle()
    payments = (await stripe_client.v1.payment_intents.list_async({"limit": 100})).data
    assert sorted(p.status for p in payments) == ["canceled", "succeeded"]
    assert (
        await settlement(running).get(running.home, int(dropped.json()["id"][3:]))
    ).status == "voided"

    forged = await client.post(
        "/v1/settlement/webhooks/stripe",
        content=b'{"id": "evt_forged", "type": "payment_intent.succeeded"}',
        headers={"Stripe-Signature": "t=1,v1=00"},
    )
    assert forged.status_code == 401
    balances = await store.balances(running.home.id)
    # Stripe's fee is read from the charge's balance transaction; localstripe's is always 0
    payment = await stripe_client.v1.payment_intents.retrieve_async(
        next(p.id for p in payments if p.status == "succeeded")
    )
    latest = payment.latest_charge
    charge = (
        latest
        if not isinstance(latest, str)
        else await stripe_client.v1.charges.retrieve_async(latest)
    )
    txn = await stripe_client.v1.balance_transactions.retrieve_async(charge.balance_transaction)
    assert txn.fee == 0 and txn.amount == 10_000
    entries = await store.charge_entries(running.home.id, int(charge_id[3:]))
    assert fee_of(entries) == txn.fee
    assert balances[("gateway_clearing", "CNY")] == 10_000 - txn.fee - 3_000
    assert await per_currency(running.home.id) == {"CNY": 0}
    # the ledger agrees with Stripe's own records, object by object
    assert await settlement(running).reconcile(running.home.id) == []
