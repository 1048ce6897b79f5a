"""Payout batches: each payee paid what is settled and past the hold, net of clawbacks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from linli_sdk import Community, Money
from piccolo.engine.postgres import PostgresEngine

from . import ledger, store
from .gateways import Gateway
from .tables import SettlementCharge

__all__ = ["Payout", "pay_out"]


@dataclass(frozen=True, slots=True)
class Payout:
    """One payee's payout in a batch: the account paid, how much, and its ledger transaction."""

    account: str
    amount: Money
    txn_id: int


async def pay_out(community: Community, gateway: Gateway, *, hold: timedelta) -> list[Payout]:
    """Pay every payee of a community what is settled and past ``hold``, net of clawbacks.

    Each payee is paid in its own transaction under a key derived from its ledger, so a batch
    that dies half-way is simply run again: the payees already paid are owed nothing more.
    """
    cutoff = datetime.now(UTC) - hold
    engine = SettlementCharge._meta.db
    paid = []
    for account, currency in await store.payable_accounts(community.id):
        async with engine.transaction():
            if isinstance(engine, PostgresEngine):
                await SettlementCharge.raw(
                    "SELECT pg_advisory_xact_lock(hashtext({}))", f"{community.id}:{account}"
                )
            debits, credits, batches = await store.payout_position(
                community.id, account, currency, cutoff
            )
            due = ledger.payout_due(debits, credits)
            if due <= 0:
                continue
            amount = Money(amount=due, currency=currency)
            plan = ledger.plan_payout(community.id, account, batches + 1, amount)
            memo = {"gateway": gateway.name, "test": gateway.test_money}
            txn_id = await store.append(community.id, None, plan, memo)
        if txn_id is not None:
            paid.append(Payout(account=account, amount=amount, txn_id=txn_id))
    return paid
