"""The flash sale's promise over the platform's HTTP app: 2,000 buyers, 200 units, none oversold.

2,000 distinct residents each try to buy one unit at the same moment; 500 of them tap twice at
once (a per-person limit of one). Exactly 200 buys go through, the stock ends at zero and never
below, nobody holds more than one, and the ledger shows exactly one capture per paid order and
nothing for any refused buyer — on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict

import pytest
from linli.settlement.store import balances
from linli.settlement.tables import GatewayIntent, LedgerTxn, SettlementCharge
from linli_group_buying.live_tables import LiveAllowance, LiveItem, LiveOrder
from live_helpers import LIVE, add_buyers, open_item

BUYERS = 2_000
DOUBLE_TAPPERS = 500
UNITS = 200


async def _flash_sale(running) -> None:
    _, item_id = await open_item(running, stock=UNITS, limit=1)
    buyers = await add_buyers(running.home, BUYERS)
    attempts = buyers + buyers[:DOUBLE_TAPPERS]

    async def attempt(headers: dict[str, str]) -> tuple[int, dict]:
        answer = await running.client.post(
            f"{LIVE}/buy-live-item", json={"item_id": item_id, "quantity": 1}, headers=headers
        )
        return answer.status_code, answer.json()

    answers = await asyncio.gather(*(attempt(headers) for _, headers in attempts))
    await running.platform.settlement.idle()  # the captures carried out after each commit

    statuses = Counter(status for status, _ in answers)
    assert statuses == {200: UNITS, 409: len(attempts) - UNITS}, statuses
    reasons = Counter(body["reason"] for status, body in answers if status == 409)
    assert set(reasons) <= {"sold-out", "over-limit"}
    paid = [body for status, body in answers if status == 200]

    item = await LiveItem.select().where(LiveItem.id == item_id).first()
    assert (item["stock_left"], item["orders"]) == (0, UNITS)  # exactly 200 sold, 0 oversold
    orders = await LiveOrder.select().where(LiveOrder.item_id == item_id)
    assert len(orders) == UNITS
    per_buyer = Counter(order["buyer_id"] for order in orders)
    assert max(per_buyer.values()) == 1  # the per-person limit held
    allowances = await LiveAllowance.select().where(LiveAllowance.item_id == item_id)
    assert sorted(a["buyer_id"] for a in allowances) == sorted(per_buyer)
    assert all(a["bought"] == 1 for a in allowances)

    # The ledger: one charge per paid order, each captured exactly once, nothing else charged.
    charge_ids = {int(order["charge_id"].removeprefix("ch_")) for order in orders}
    assert charge_ids == {int(body["charge_id"].removeprefix("ch_")) for body in paid}
    charges = await SettlementCharge.select(SettlementCharge.id).where(
        SettlementCharge.module == "group_buying"
    )
    assert {row["id"] for row in charges} == charge_ids
    captures = await LedgerTxn.select(LedgerTxn.charge).where(LedgerTxn.kind == "capture")
    per_charge = Counter(row["charge"] for row in captures)
    assert set(per_charge) == charge_ids and set(per_charge.values()) == {1}
    assert await GatewayIntent.count().where(GatewayIntent.state == "pending") == 0
    totals: dict[str, int] = defaultdict(int)
    for (_, currency), total in (await balances(running.home.id)).items():
        totals[currency] += total
    assert totals == {"CNY": 0}  # the ledger balances


@pytest.mark.slow
async def test_flash_sale_on_sqlite(start_live) -> None:
    async with start_live() as running:
        await _flash_sale(running)


@pytest.mark.slow
async def test_flash_sale_on_postgres(start_live, postgres_url) -> None:
    async with start_live(database_url=postgres_url) as running:
        await _flash_sale(running)
