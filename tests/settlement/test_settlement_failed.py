"""A charge the gateway refuses becomes ``failed`` once, and the module that charged is told."""

from __future__ import annotations

import asyncio

from linli.dispatch.tables import OutboxEvent
from linli.settlement.gateways import GatewayOutcome, GatewayStatus, SandboxGateway
from linli.settlement.service import Settlement, intent_key
from linli.settlement.tables import GatewayIntent, LedgerTxn
from linli_sdk import CHARGE_FAILED, ChargeStatus, Conflict, Money
from settlement_helpers import SHOP, charge_directly, order, per_currency, settlement

ORDERS = 40


async def _failed_events(community_id: int) -> list[dict]:
    return (
        await OutboxEvent.select(OutboxEvent.payload)
        .where((OutboxEvent.community == community_id) & (OutboxEvent.type == CHARGE_FAILED))
        .output(load_json=True)
    )


async def _refused_while_confirm_sweep_and_webhooks_race(running) -> None:
    gateway = SandboxGateway()
    service = Settlement(running.platform.registry, gateway, eager=False)
    home = running.home
    for _ in range(ORDERS):
        gateway.decline_next("card_declined")
    charges = [await charge_directly(service, running, f"no-{n}", 1_000 + n) for n in range(ORDERS)]

    answers = {}  # the gateway refuses each payment first; its answer then arrives three ways
    for n, charge_id in enumerate(charges):
        key = intent_key(home.id, charge_id, "charge")
        amount = Money(amount=1_000 + n, currency="CNY")
        answers[charge_id] = (key, await gateway.authorize(key=key, amount=amount, capture=True))
    assert not gateway.declines

    racers = []
    for charge_id, (key, outcome) in answers.items():
        assert outcome.status is GatewayStatus.FAILED
        racers += [
            service.carry_out(home.id, charge_id),
            service.receive_event(home.id, f"evt-{charge_id}", key, outcome),
            service.receive_event(home.id, f"evt-{charge_id}", key, outcome),  # a replay
            service.receive_event(home.id, f"evt-{charge_id}-b", key, outcome),  # another
        ]
    racers.append(service.sweep(home.id))
    await asyncio.gather(*racers)
    fine = await charge_directly(service, running, "yes", 5_000)
    await service.carry_out(home.id, fine)

    for charge_id in charges:
        charge = await service.get(home, charge_id)
        assert charge.status is ChargeStatus.FAILED
        assert charge.parts == {} and charge.refunded == Money.zero("CNY")
    assert await LedgerTxn.count().where(LedgerTxn.charge.is_in(charges)) == 0  # none posted
    events = await _failed_events(home.id)
    assert len(events) == ORDERS  # exactly one per refused charge
    assert sorted(e["payload"]["charge_id"] for e in events) == sorted(f"ch_{c}" for c in charges)
    first = next(e["payload"] for e in events if e["payload"]["charge_id"] == f"ch_{charges[0]}")
    assert first == {
        "charge_id": f"ch_{charges[0]}",
        "order_ref": "no-0",
        "module": "shop",
        "amount": {"amount": 1_000, "currency": "CNY"},
        "reason": "card_declined",
    }
    assert (await service.get(home, fine)).status is ChargeStatus.CAPTURED
    assert await GatewayIntent.count().where(GatewayIntent.state == "pending") == 0
    assert await service.reconcile(home.id) == []  # the gateway's record says failed too
    assert await per_currency(home.id) == {"CNY": 0}

    refused = charges[0]
    try:
        await service.capture(home, refused)
        raise AssertionError("a failed charge was captured")
    except Conflict as error:
        assert "refused" in str(error)
    assert (await service.void(home, refused)).status is ChargeStatus.FAILED  # harmless
    assert await GatewayIntent.count().where(GatewayIntent.charge == refused) == 1


async def test_a_refused_charge_fails_once_while_confirm_sweep_and_webhooks_race(start_shop):
    async with start_shop() as running:
        await _refused_while_confirm_sweep_and_webhooks_race(running)


async def test_a_refused_charge_fails_once_on_postgres(start_shop, postgres_url):
    async with start_shop(database_url=postgres_url) as running:
        await _refused_while_confirm_sweep_and_webhooks_race(running)


async def test_a_capture_the_gateway_refuses_releases_the_authorisation(start_shop):
    async with start_shop() as running:
        service = Settlement(running.platform.registry, SandboxGateway(), eager=False)
        home = running.home
        charge_id = await charge_directly(service, running, "held", 2_000, capture=False)
        await service.carry_out(home.id, charge_id)
        await service.capture(home, charge_id)
        row = await service._charge(home.id, charge_id)
        intent = await (
            GatewayIntent.select()
            .where((GatewayIntent.charge == charge_id) & (GatewayIntent.action == "capture"))
            .first()
        )
        expired = GatewayOutcome("", GatewayStatus.FAILED, 0, True, "authorization_expired")
        assert await service.apply(row, intent, expired) == 1
        assert await service.apply(row, intent, expired) == 0  # applied once
        charge = await service.get(home, charge_id)
        assert charge.status is ChargeStatus.FAILED
        kinds = [
            t["kind"]
            for t in await LedgerTxn.select(LedgerTxn.kind).where(LedgerTxn.charge == charge_id)
        ]
        assert sorted(kinds) == ["authorize", "void"]  # the authorisation reversed
        [event] = await _failed_events(home.id)
        assert event["payload"]["reason"] == "authorization_expired"
        assert await per_currency(home.id) == {"CNY": 0}


async def test_a_declined_purchase_reads_failed_over_http(
    start_shop,
):
    async with start_shop() as running:
        settlement(running).gateway.decline_next()  # type: ignore[attr-defined]
        bought = await running.client.post(
            f"{SHOP}/buy", json=order(running, "declined"), headers=running.auth("resident")
        )
        assert bought.status_code == 200, bought.text
        assert bought.json()["status"] == "pending"  # inside the call, nothing is known yet
        await settlement(running).idle()
        charge = await running.client.get(
            f"/v1/communities/home/settlement/charges/{bought.json()['id']}",
            headers=running.auth("operator"),
        )
        assert charge.status_code == 200, charge.text
        assert charge.json()["status"] == "failed"
        [event] = await _failed_events(running.home.id)
        assert event["payload"]["module"] == "shop"
