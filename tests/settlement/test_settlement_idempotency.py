"""The same Idempotency-Key sent 20 times at once: one effect, same answers; another body: 422."""

from __future__ import annotations

import asyncio

import pytest
from linli.settlement.tables import GatewayIntent, LedgerTxn, SettlementCharge
from settlement_helpers import SHOP, cny, gateway_calls, order, per_currency, settlement, txn_count

SETTLEMENT = "/v1/communities/home/settlement"


async def _effects() -> tuple[int, int, int]:
    return (
        await SettlementCharge.count(),
        await GatewayIntent.count(),
        await LedgerTxn.count(),
    )


async def _twenty_buys_then_another_body(running) -> None:
    client = running.client
    headers = {**running.auth("resident"), "Idempotency-Key": "buy-once"}
    body = order(running, "o-20")
    answers = await asyncio.gather(
        *(client.post(f"{SHOP}/buy", json=body, headers=headers) for _ in range(20))
    )
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    assert len({a.content for a in answers}) == 1
    await settlement(running).idle()
    assert await SettlementCharge.count() == 1
    assert await gateway_calls(running) == 1
    assert await txn_count("capture") == 1
    before = await _effects()

    other = await client.post(
        f"{SHOP}/buy", json=order(running, "o-20", fen=20_000), headers=headers
    )
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    await settlement(running).idle()
    assert await _effects() == before


async def _twenty_refunds_then_another_body(running) -> None:
    client = running.client
    bought = await client.post(
        f"{SHOP}/buy", json=order(running, "o-r"), headers=running.auth("resident")
    )
    await settlement(running).idle()
    url = f"{SETTLEMENT}/charges/{bought.json()['id']}/refunds"
    headers = {**running.auth("operator"), "Idempotency-Key": "refund-once"}
    body = {"amount": cny(2_500), "reason": "bruised peaches"}
    answers = await asyncio.gather(
        *(client.post(url, json=body, headers=headers) for _ in range(20))
    )
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    assert len({a.content for a in answers}) == 1
    await settlement(running).idle()
    assert await txn_count("refund") == await txn_count("refund_paid") == 1
    before = await _effects()

    other = await client.post(url, json={**body, "amount": cny(100)}, headers=headers)
    assert other.status_code == 422
    await settlement(running).idle()
    assert await _effects() == before
    assert await per_currency(running.home.id) == {"CNY": 0}


async def test_twenty_identical_buys_on_sqlite(start_shop):
    async with start_shop() as running:
        await _twenty_buys_then_another_body(running)


async def test_twenty_identical_refunds_on_sqlite(start_shop):
    async with start_shop() as running:
        await _twenty_refunds_then_another_body(running)


@pytest.mark.slow
async def test_twenty_identical_buys_on_postgres(start_shop, postgres_url):
    async with start_shop(database_url=postgres_url) as running:
        await _twenty_buys_then_another_body(running)


@pytest.mark.slow
async def test_twenty_identical_refunds_on_postgres(start_shop, postgres_url):
    async with start_shop(database_url=postgres_url) as running:
        await _twenty_refunds_then_another_body(running)


async def test_a_repeated_buy_and_refund_answer_the_first_marked_replayed_and_pay_once(
    start_shop,
):
    """A module command and a settlement refund: the repeat is the first answer, nothing runs."""
    async with start_shop() as running:
        client = running.client
        buy = {**running.auth("resident"), "Idempotency-Key": "buy-1"}
        bought = await client.post(f"{SHOP}/buy", json=order(running, "o-x"), headers=buy)
        again = await client.post(f"{SHOP}/buy", json=order(running, "o-x"), headers=buy)
        assert bought.status_code == again.status_code == 200, again.text
        assert "idempotent-replayed" not in bought.headers
        assert again.headers["idempotent-replayed"] == "true"
        assert again.content == bought.content
        await settlement(running).idle()
        effects = await gateway_calls(running)

        url = f"{SETTLEMENT}/charges/{bought.json()['id']}/refunds"
        headers = {**running.auth("operator"), "Idempotency-Key": "refund-1"}
        body = {"amount": cny(1_500), "reason": "a torn bag"}
        first = await client.post(url, json=body, headers=headers)
        await settlement(running).idle()
        repeat = await client.post(url, json=body, headers=headers)
        await settlement(running).idle()
        assert first.status_code == repeat.status_code == 200, repeat.text
        assert "idempotent-replayed" not in first.headers
        assert repeat.headers["idempotent-replayed"] == "true"
        assert repeat.content == first.content
        assert await txn_count("refund") == await txn_count("refund_paid") == 1
        # the refund was paid back through the gateway once: the replay deferred nothing
        assert await gateway_calls(running) == effects + 1
        charge = await settlement(running).get(running.home, int(bought.json()["id"][3:]))
        assert charge.refunded.amount == 1_500
