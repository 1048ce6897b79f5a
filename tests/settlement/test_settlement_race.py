"""The synchronous confirm and the gateway's webhook fired at the same instant, 200 times."""

from __future__ import annotations

import asyncio

import pytest
from linli.settlement.gateways import GatewayOutcome, GatewayStatus, SandboxGateway
from linli.settlement.service import Settlement, intent_key
from linli.settlement.tables import GatewayIntent, LedgerTxn
from linli_sdk import Money
from settlement_helpers import charge_directly, per_currency

ORDERS = 200


async def _race(running) -> None:
    gateway = SandboxGateway()
    settlement = Settlement(running.platform.registry, gateway, eager=False)
    charges = [
        await charge_directly(settlement, running, f"race-{n}", 1_000 + n) for n in range(ORDERS)
    ]

    def webhook(n: int, charge_id: int):
        amount = Money(amount=1_000 + n, currency="CNY")
        key = intent_key(running.home.id, charge_id, "charge")
        outcome = GatewayOutcome(f"sbx_{key}", GatewayStatus.CAPTURED, gateway.fee(amount), True)
        return settlement.receive_event(running.home.id, f"evt_{charge_id}", key, outcome)

    confirms = [settlement.carry_out(running.home.id, c) for c in charges]
    hooks = [webhook(n, c) for n, c in enumerate(charges)]
    replays = [webhook(n, c) for n, c in enumerate(charges)]  # the same event delivered again
    mixed = [x for trio in zip(confirms, hooks, replays, strict=True) for x in trio]
    results = await asyncio.gather(*mixed)

    captures = await LedgerTxn.select(LedgerTxn.charge).where(LedgerTxn.kind == "capture")
    per_charge = [row["charge"] for row in captures]
    assert sorted(per_charge) == sorted(charges)  # exactly one capture entry per order
    authorizations = await LedgerTxn.count().where(LedgerTxn.kind == "authorize")
    assert authorizations == ORDERS
    assert sum(1 for r in results[2::3] if r) + sum(1 for r in results[1::3] if r) == ORDERS
    assert await GatewayIntent.count().where(GatewayIntent.state == "pending") == 0
    assert await per_currency(running.home.id) == {"CNY": 0}


@pytest.mark.slow
async def test_confirm_and_webhook_race_on_sqlite(start_shop):
    async with start_shop() as running:
        await _race(running)


@pytest.mark.slow
async def test_confirm_and_webhook_race_on_postgres(start_shop, postgres_url):
    async with start_shop(database_url=postgres_url) as running:
        await _race(running)
