"""Settlement throughput: split, post and pay out N captured orders, against a bulk insert.

For N orders already charged (rows in ``linli_settlement_charge``), the timed run splits each
by the group-buying rules (``ledger.plan_capture``: authorisation released, clearing, fee,
five parties, fee borne), appends the plans to the ledger in batches (``store.append_many``:
unique keys, ``ON CONFLICT DO NOTHING``), then runs one payout batch over every payee
(``Settlement.pay_out``). The baseline bulk-inserts the same number of ledger entry rows with
the same driver (Piccolo multi-row inserts, same batch size) into a second community. Prints
orders/s and the ratio, and writes bench/results/settlement.json.

    uv run python bench/settlement.py [--orders 100000] [--batch 1000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from linli.identity.members import create_community
from linli.modules.registry import ModuleRegistry
from linli.platform import Platform
from linli.settings import Settings
from linli.settlement import ledger, store
from linli.settlement.gateways import SandboxGateway
from linli.settlement.service import Settlement
from linli.settlement.tables import LedgerEntry, SettlementCharge
from linli_sdk import Money, RevenueShareRules, fixed, percent, remainder

RESULTS = Path(__file__).parent / "results"
LEADERS, SUPPLIERS = 200, 50


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


RULES = RevenueShareRules(
    shares=(
        percent("platform", 500, min=0, max=1000),
        percent("leader", 1000, min=500, max=1500),
        fixed("pickup_host", cny(50)),
        percent("community_fund", 100),
        remainder("supplier"),
    )
)


def payees(n: int) -> dict[str, int]:
    leader = 1_000 + n % LEADERS
    return {"leader": leader, "pickup_host": leader, "supplier": 5_000 + n % SUPPLIERS}


async def charge_orders(community_id: int, orders: int) -> list[int]:
    """Insert the N charges the run settles (not timed: they exist before settlement runs)."""
    now = datetime.now(UTC)
    rules = RULES.model_dump(mode="json")
    for start in range(0, orders, 2000):
        await SettlementCharge.insert(
            *(
                SettlementCharge(
                    community=community_id,
                    module="group_buying",
                    order_ref=f"o{n}",
                    charge_key=f"{community_id}:group_buying:o{n}",
                    payer_id=1,
                    payees=payees(n),
                    currency="CNY",
                    amount=1_000 + n % 9_000,
                    rules=rules,
                    gateway="sandbox",
                    created_at=now,
                )
                for n in range(start, min(orders, start + 2000))
            )
        )
    rows = await SettlementCharge.select(SettlementCharge.id).where(
        SettlementCharge.community == community_id
    )
    return [row["id"] for row in rows]


async def settle(settlement: Settlement, community, charge_ids: list[int], batch: int) -> dict:
    gateway = SandboxGateway()
    started = time.perf_counter()
    entries = 0
    for start in range(0, len(charge_ids), batch):
        items = []
        for offset, charge_id in enumerate(charge_ids[start : start + batch]):
            n = start + offset
            amount = cny(1_000 + n % 9_000)
            fee = cny(gateway.fee(amount))
            plan = ledger.plan_capture(charge_id, amount, RULES, payees(n), fee)
            entries += len(plan.postings)
            items.append((charge_id, plan, {"gateway": "sandbox", "test": True}))
        await store.append_many(community.id, items)
    posted = time.perf_counter() - started
    payouts = await settlement.pay_out(community, hold=timedelta(0))
    total = time.perf_counter() - started
    return {"seconds": total, "post_seconds": posted, "entries": entries, "payouts": len(payouts)}


async def bulk_insert(community_id: int, rows: int, batch_rows: int) -> float:
    started = time.perf_counter()
    for start in range(0, rows, batch_rows):
        chunk = range(start, min(rows, start + batch_rows))
        for first in range(chunk.start, chunk.stop, 2000):
            await LedgerEntry.insert(
                *(
                    LedgerEntry(
                        community=community_id,
                        txn=None,
                        charge=None,
                        account=f"bulk:{n % 7}",
                        party=None,
                        amount=n,
                        currency="CNY",
                    )
                    for n in range(first, min(chunk.stop, first + 2000))
                )
            )
    return time.perf_counter() - started


async def main(orders: int, batch: int, database_url: str) -> dict:
    settings = Settings(database_url=database_url)
    platform_ = Platform.from_settings(
        settings, registry=ModuleRegistry(), gateway=SandboxGateway()
    )
    await platform_.start(migrate_first=True)
    try:
        home = await create_community("bench", "Bench")
        other = await create_community("bulk", "Bulk")
        charge_ids = await charge_orders(home.id, orders)
        settlement = platform_.settlement
        run = await settle(settlement, home, charge_ids, batch)
        entries_per_batch = run["entries"] * batch // orders
        bulk_seconds = await bulk_insert(other.id, run["entries"], entries_per_batch)
        balanced = set((await _per_currency(home.id)).values()) <= {0}
    finally:
        await platform_.stop()
    return {
        "orders": orders,
        "batch": batch,
        "database": database_url.split(":", 1)[0],
        "ledger_entries": run["entries"],
        "payouts": run["payouts"],
        "settle_seconds": round(run["seconds"], 2),
        "post_seconds": round(run["post_seconds"], 2),
        "orders_per_second": round(orders / run["seconds"]),
        "bulk_insert_seconds": round(bulk_seconds, 2),
        "bulk_rows_per_second": round(run["entries"] / bulk_seconds),
        "ratio_vs_bulk_insert": round(run["seconds"] / bulk_seconds, 2),
        "balanced": balanced,
    }


async def _per_currency(community_id: int) -> dict[str, int]:
    totals: dict[str, int] = {}
    for (_, currency), total in (await store.balances(community_id)).items():
        totals[currency] = totals.get(currency, 0) + total
    return totals


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--out", type=Path, default=RESULTS / "settlement.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{scratch}/bench.db"
        result = asyncio.run(main(args.orders, args.batch, url))
    for name, value in result.items():
        print(f"{name:>22}  {value}")
    report = {
        "benchmark": "settlement",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
        "result": result,
    }
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
