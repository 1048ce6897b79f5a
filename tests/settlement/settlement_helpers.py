"""Small helpers the settlement tests share: orders, the ledger's sums, the platform's service."""

from __future__ import annotations

import socket
from collections import defaultdict
from typing import Any

from linli.settlement.gateways import SandboxGateway
from linli.settlement.ledger import GATEWAY_FEES, PostedEntry
from linli.settlement.service import Settlement
from linli.settlement.store import balances
from linli.settlement.tables import LedgerTxn
from linli.testing import Running
from linli_sdk import Money

SHOP = "/v1/communities/home/modules/shop"


def cny(fen: int) -> dict[str, Any]:
    return {"amount": fen, "currency": "CNY"}


def order(running: Running, ref: str, fen: int = 10_000, capture: bool = True) -> dict[str, Any]:
    people = running.people
    return {
        "order_ref": ref,
        "amount": cny(fen),
        "leader_id": people["leader"].id,
        "pickup_host_id": people["leader"].id,
        "supplier_id": people["operator"].id,
        "capture": capture,
    }


def settlement(running: Running) -> Settlement:
    """The settlement service of the running platform."""
    return running.platform.settlement


async def gateway_calls(running: Running) -> int:
    """How many distinct calls the platform's sandbox gateway answered in ``home``."""
    gateway = settlement(running).gateway
    assert isinstance(gateway, SandboxGateway)
    return len(await gateway.outcomes(f"linli-c{running.home.id}-"))


async def per_currency(community_id: int) -> dict[str, int]:
    """The sum of every account per currency: zero in a balanced ledger."""
    totals: dict[str, int] = defaultdict(int)
    for (_, currency), total in (await balances(community_id)).items():
        totals[currency] += total
    return dict(totals)


async def txn_count(kind: str) -> int:
    return await LedgerTxn.count().where(LedgerTxn.kind == kind)


def parties_net(entries: list[PostedEntry]) -> int:
    """What the parties of one charge are owed in all: minus their accounts' postings."""
    return -sum(
        e.amount.amount
        for e in entries
        if e.account.startswith("payable:") or e.account in ("platform_revenue", "community_fund")
    )


def fee_of(entries: list[PostedEntry]) -> int:
    return sum(
        e.amount.amount for e in entries if e.account == GATEWAY_FEES and e.amount.amount > 0
    )


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def charge_directly(
    service: Settlement, running: Running, ref: str, fen: int, *, capture: bool = True
) -> int:
    """Charge an order of ``shop`` through a given settlement service (no HTTP); its id."""
    people = running.people
    charge = await service.charge(
        running.home,
        "shop",
        order_ref=ref,
        amount=Money(amount=fen, currency="CNY"),
        payer_id=people["resident"].id,
        payees={
            "leader": people["leader"].id,
            "pickup_host": people["leader"].id,
            "supplier": people["operator"].id,
        },
        capture=capture,
    )
    return int(charge.id.removeprefix("ch_"))
