"""Settlement events to the module that charged: captured, refunded and paid out, each once.

However the gateway's answer arrives (the confirm after commit, the sweep, a webhook and its
replays, all at once), the transaction that applies it is the only one that writes its event:
one ``settlement.charge_captured`` per charge, one ``settlement.charge_refunded`` per refund,
one ``settlement.charge_paid_out`` per charge and paid party, however many batches run.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from linli.dispatch.events.outbox import _addressee
from linli.dispatch.tables import OutboxEvent
from linli.settlement.gateways import GatewayOutcome, GatewayStatus, SandboxGateway
from linli.settlement.payouts import apply_transfer
from linli.settlement.service import Settlement, intent_key
from linli.settlement.tables import Transfer
from linli_sdk import CHARGE_CAPTURED, CHARGE_PAID_OUT, CHARGE_REFUNDED, Event, Money
from settlement_helpers import charge_directly, per_currency

ORDERS = 12


async def _events(community_id: int, type: str) -> list[dict]:
    rows = await (
        OutboxEvent.select(OutboxEvent.payload, OutboxEvent.module)
        .where((OutboxEvent.community == community_id) & (OutboxEvent.type == type))
        .output(load_json=True)
    )
    assert all(row["module"] is None for row in rows)  # the platform's, addressed by payload
    return [row["payload"] for row in rows]


async def _race(service: Settlement, community_id: int, answers: dict) -> None:
    racers = []
    for charge_id, (key, outcome) in answers.items():
        racers += [
            service.carry_out(community_id, charge_id),
            service.receive_event(community_id, f"evt-{key}", key, outcome),
            service.receive_event(community_id, f"evt-{key}", key, outcome),  # a replay
            service.receive_event(community_id, f"evt-{key}-b", key, outcome),  # another
        ]
    racers.append(service.sweep(community_id))
    await asyncio.gather(*racers)


async def _captured_refunded_paid_out_once(running) -> None:
    gateway = SandboxGateway()
    service = Settlement(running.platform.registry, gateway, eager=False)
    home = running.home
    charges = [await charge_directly(service, running, f"o-{n}", 1_000 + n) for n in range(ORDERS)]
    answers = {}
    for n, charge_id in enumerate(charges):
        key = intent_key(home.id, charge_id, "charge")
        amount = Money(amount=1_000 + n, currency="CNY")
        answers[charge_id] = (key, await gateway.authorize(key=key, amount=amount, capture=True))
    await _race(service, home.id, answers)

    captured = await _events(home.id, CHARGE_CAPTURED)
    assert sorted(e["charge_id"] for e in captured) == sorted(f"ch_{c}" for c in charges)
    assert next(e for e in captured if e["order_ref"] == "o-0") == {
        "charge_id": f"ch_{charges[0]}",
        "order_ref": "o-0",
        "module": "shop",
        "amount": {"amount": 1_000, "currency": "CNY"},
    }

    refunds = {}
    for charge_id in charges:
        await service.refund(
            home, charge_id, Money(amount=300, currency="CNY"), reason="x", ref="r"
        )
        key = intent_key(home.id, charge_id, "refund", "r")
        row = await service._charge(home.id, charge_id)
        payment = await service._payment_ref(row)
        outcome = await gateway.refund(
            key=key, payment_ref=payment, amount=Money(amount=300, currency="CNY")
        )
        refunds[charge_id] = (key, outcome)
    await _race(service, home.id, refunds)
    refunded = await _events(home.id, CHARGE_REFUNDED)
    assert len(refunded) == ORDERS
    assert {e["ref"] for e in refunded} == {"r"}
    assert {e["amount"]["amount"] for e in refunded} == {300}

    await service.pay_out(home, hold=timedelta(0))
    await service.pay_out(home, hold=timedelta(0))  # nothing new: no new event
    for row in await Transfer.select().where(Transfer.kind == "payout"):
        assert await apply_transfer(home.id, gateway, row, _transferred(row)) is None  # replay
    paid = await _events(home.id, CHARGE_PAID_OUT)
    parties = ("leader", "pickup_host", "supplier")
    assert sorted((e["charge_id"], e["party"]) for e in paid) == sorted(
        (f"ch_{c}", p) for c in charges for p in parties
    )
    first = next(e for e in paid if e["charge_id"] == f"ch_{charges[0]}" and e["party"] == "leader")
    assert first["payee_id"] == running.people["leader"].id
    assert first["amount"] == {"amount": 100 - 30, "currency": "CNY"}  # 10 %, less its refund
    assert await per_currency(home.id) == {"CNY": 0}

    event = Event(
        id="x",
        type=CHARGE_PAID_OUT,
        community=home.slug,
        module=None,
        occurred=_now(),
        payload=first,
    )
    assert _addressee(event) == "shop"  # only the module that charged receives it


def _transferred(row):
    return GatewayOutcome(row["gateway_ref"], GatewayStatus.TRANSFERRED, 0, True)


def _now():
    return datetime.now(UTC)


async def test_each_settlement_event_is_written_once_while_answers_race(start_shop):
    async with start_shop() as running:
        await _captured_refunded_paid_out_once(running)


async def test_each_settlement_event_is_written_once_on_postgres(start_shop, postgres_url):
    async with start_shop(database_url=postgres_url) as running:
        await _captured_refunded_paid_out_once(running)
