"""The ledger's persistence: append a posting plan once, and read entries and balances back.

This module offers no way to change or remove a ledger row: `append` is the only write. A plan
whose key is already in the ledger is skipped (``INSERT ... ON CONFLICT DO NOTHING``), so two
processes applying the same outcome at the same instant post it exactly once, on SQLite and on
PostgreSQL alike, without an error aborting the caller's transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from linli_sdk import Money

from linli.db import raw

from .ledger import ChargePosition, ModuleHold, PostedEntry, PostingPlan, TxnKind, check_balanced
from .tables import LedgerEntry, LedgerTxn

__all__ = [
    "append",
    "append_many",
    "balances",
    "charge_entries",
    "charge_txns",
    "party_lines",
    "payable_accounts",
    "payout_position",
    "txn_by_key",
]


async def append(
    community_id: int,
    charge_id: int | None,
    plan: PostingPlan,
    memo: dict[str, Any] | None = None,
) -> int | None:
    """Append ``plan`` as one ledger transaction; its id, or ``None`` if the key was posted."""
    posted = await append_many(community_id, [(charge_id, plan, memo or {})])
    return posted.get(plan.key)


_ROWS_PER_INSERT = 2000
"""Rows per multi-row insert: under SQLite's and PostgreSQL's limits of bound variables."""

_TXN_COLUMNS = "community, key, kind, charge, memo, created_at"
_ENTRY_COLUMNS = "community, txn, charge, account, party, amount, currency"


async def append_many(
    community_id: int, items: list[tuple[int | None, PostingPlan, dict[str, Any]]]
) -> dict[str, int]:
    """Append many plans (each with its charge and memo) in a few multi-row inserts.

    A key already in the ledger is skipped, so a batch replayed after a crash posts only what
    is missing. Returns the ledger transaction id of each plan posted now, by key. Raw SQL:
    this runs for every charge, and Piccolo's building of a row per entry costs more than the
    insert itself.
    """
    for _, plan, _ in items:
        check_balanced(plan.postings)
    now = datetime.now(UTC)
    posted: dict[str, int] = {}
    async with LedgerTxn._meta.db.transaction():
        for start in range(0, len(items), _ROWS_PER_INSERT):
            chunk = items[start : start + _ROWS_PER_INSERT]
            args: list[Any] = []
            for charge_id, plan, memo in chunk:
                args += [community_id, plan.key, str(plan.kind), charge_id, json.dumps(memo), now]
            rows = await raw.fetch(
                LedgerTxn._meta.db,
                f"INSERT INTO linli_settlement_ledger_txn ({_TXN_COLUMNS}) "
                f"VALUES {raw.values(6, len(chunk))} "
                "ON CONFLICT (key) DO NOTHING RETURNING id, key",
                *args,
            )
            ids = {row["key"]: row["id"] for row in rows}
            entries = [
                (
                    community_id,
                    ids[plan.key],
                    charge_id,
                    posting.account,
                    posting.party,
                    posting.amount.amount,
                    posting.amount.currency,
                )
                for charge_id, plan, _ in chunk
                if plan.key in ids
                for posting in plan.postings
            ]
            for first in range(0, len(entries), _ROWS_PER_INSERT):
                part = entries[first : first + _ROWS_PER_INSERT]
                await raw.fetch(
                    LedgerEntry._meta.db,
                    f"INSERT INTO linli_settlement_ledger_entry ({_ENTRY_COLUMNS}) "
                    f"VALUES {raw.values(7, len(part))}",
                    *(value for entry in part for value in entry),
                )
            posted.update(ids)
    return posted


async def charge_txns(community_id: int, charge_id: int) -> list[dict[str, Any]]:
    """The ledger transactions of one charge, oldest first (id, key, kind, memo)."""
    rows: list[dict[str, Any]] = (
        await LedgerTxn.select(LedgerTxn.id, LedgerTxn.key, LedgerTxn.kind, LedgerTxn.memo)
        .where((LedgerTxn.community == community_id) & (LedgerTxn.charge == charge_id))
        .order_by(LedgerTxn.id)
        .output(load_json=True)
    )
    return rows


async def charge_entries(community_id: int, charge_id: int) -> list[PostedEntry]:
    """Every entry posted for one charge, oldest first."""
    rows = await raw.fetch(
        LedgerEntry._meta.db,
        "SELECT t.kind, e.account, e.party, e.amount, e.currency "
        "FROM linli_settlement_ledger_txn t JOIN linli_settlement_ledger_entry e ON e.txn = t.id "
        "WHERE t.community = {} AND t.charge = {} ORDER BY e.id",
        community_id,
        charge_id,
    )
    return [
        PostedEntry(
            kind=TxnKind(row["kind"]),
            account=row["account"],
            amount=Money(amount=row["amount"], currency=row["currency"]),
            party=row["party"],
        )
        for row in rows
    ]


async def balances(community_id: int) -> dict[tuple[str, str], int]:
    """Each account's balance per currency in a community: ``(account, currency) -> minor units``.

    Debit balances are positive; a party's payable (a credit balance) is negative.
    """
    rows = await raw.fetch(
        LedgerEntry._meta.db,
        "SELECT account, currency, SUM(amount) AS total FROM linli_settlement_ledger_entry "
        "WHERE community = {} GROUP BY account, currency",
        community_id,
    )
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        totals[(row["account"], row["currency"])] += int(row["total"])
    return dict(totals)


async def txn_by_key(community_id: int, key: str) -> dict[str, Any] | None:
    """The ledger transaction posted under ``key`` (id, kind, memo), or ``None``."""
    row: dict[str, Any] | None = (
        await LedgerTxn.select(LedgerTxn.id, LedgerTxn.kind, LedgerTxn.memo)
        .where((LedgerTxn.community == community_id) & (LedgerTxn.key == key))
        .output(load_json=True)
        .first()
    )
    return row


async def party_lines(community_id: int, txn_id: int) -> dict[str, int]:
    """What one transaction moved per revenue-share party (signed minor units)."""
    rows = await LedgerEntry.select(LedgerEntry.party, LedgerEntry.amount).where(
        (LedgerEntry.community == community_id) & (LedgerEntry.txn == txn_id)
    )
    lines: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["party"]:
            lines[row["party"]] += row["amount"]
    return dict(lines)


async def payable_accounts(community_id: int) -> list[tuple[str, str]]:
    """The payees' accounts (``payable:<party>:<member>``) of a community with each currency."""
    rows = await raw.fetch(
        LedgerEntry._meta.db,
        "SELECT DISTINCT account, currency FROM linli_settlement_ledger_entry "
        "WHERE community = {} AND account LIKE 'payable:%' ORDER BY account, currency",
        community_id,
    )
    return [(row["account"], row["currency"]) for row in rows]


async def payout_position(
    community_id: int,
    account: str,
    currency: str,
    cutoff: datetime,
    holds: Mapping[str, ModuleHold] | None = None,
) -> list[ChargePosition]:
    """One payee account's postings in ``currency``, summed per charge in the database.

    A charge is settled when its credit was posted by ``cutoff`` (the platform's hold) and,
    for a module in ``holds``, by the module's own cutoff — or, for a module that holds until
    released, its charge was released by that cutoff. Postings of no charge (payouts and
    clawbacks) come as one position with ``charge`` ``None``.
    """
    held, args = _past_hold(holds or {})
    rows = await raw.fetch(
        LedgerEntry._meta.db,
        "SELECT e.charge AS charge, COALESCE(SUM(e.amount), 0) AS net, "
        "MAX(CASE WHEN e.amount < 0 AND t.created_at <= {} "
        f"AND {held} THEN 1 ELSE 0 END) AS settled "
        "FROM linli_settlement_ledger_entry e "
        "JOIN linli_settlement_ledger_txn t ON t.id = e.txn "
        "LEFT JOIN linli_settlement_charge c ON c.id = e.charge "
        "LEFT JOIN linli_settlement_release r ON r.charge = e.charge "
        "WHERE e.community = {} AND e.account = {} AND e.currency = {} "
        "GROUP BY e.charge",
        cutoff,
        *args,
        community_id,
        account,
        currency,
    )
    return [
        ChargePosition(
            charge=None if row["charge"] is None else int(row["charge"]),
            net=int(row["net"]),
            settled=bool(row["settled"]),
        )
        for row in rows
    ]


def _past_hold(holds: Mapping[str, ModuleHold]) -> tuple[str, list[Any]]:
    """The SQL condition (and its arguments) for a credit past its module's own hold."""
    if not holds:
        return "1 = 1", []
    clauses, args = [], []
    for module, hold in sorted(holds.items()):
        moment = "r.released_at" if hold.until_released else "t.created_at"
        clauses.append(f"(c.module = {{}} AND {moment} <= {{}})")
        args += [module, hold.cutoff]
    placeholders = ", ".join(["{}"] * len(holds))
    clauses.append(f"(c.module IS NULL OR c.module NOT IN ({placeholders}))")
    args += sorted(holds)
    return "(" + " OR ".join(clauses) + ")", args
