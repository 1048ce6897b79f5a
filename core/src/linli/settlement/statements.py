"""What the ledger shows: each party's statement, and the ledger's side of reconciliation."""

from __future__ import annotations

from datetime import datetime

from linli_sdk import Money, csv_text
from pydantic import BaseModel

from linli.db.raw import fetch
from linli.settlement import ledger
from linli.settlement.reconciliation import Record
from linli.settlement.tables import GatewayIntent, LedgerEntry, LedgerTxn, Transfer

__all__ = ["StatementLine", "ledger_records", "statement", "statement_csv"]

_POSTS = {
    "voided": ledger.TxnKind.VOID,
    "captured": ledger.TxnKind.CAPTURE,
    "authorized": ledger.TxnKind.AUTHORIZE,
}
"""Which ledger transaction makes a payment's status, most final first."""


class StatementLine(BaseModel):
    """One posting on a party's statement: positive adds to what the party is owed."""

    at: datetime
    kind: str
    charge_id: str | None
    order_ref: str | None
    module: str | None
    party: str | None
    amount: Money


def statement_csv(lines: list[StatementLine], *, test_money: bool) -> str:
    """A statement as CSV: one row per posting; amounts in minor units (``TEST`` if sandbox).

    Text cells are neutralised against formulas (:func:`linli_sdk.csv_text`); amounts are
    integers, written as plain numbers (``-300``), so the file stays machine-readable.
    """
    header = ["at", "kind", "charge_id", "order_ref", "module", "party", "amount", "currency"]
    return csv_text(
        [
            [*header, "money"],
            *(
                [
                    line.at.isoformat(),
                    line.kind,
                    line.charge_id or "",
                    line.order_ref or "",
                    line.module or "",
                    line.party or "",
                    line.amount.amount,
                    line.amount.currency,
                    "TEST" if test_money else "LIVE",
                ]
                for line in lines
            ),
        ]
    )


async def statement(community_id: int, account: str) -> list[StatementLine]:
    """Every posting on one account, oldest first, with the order and module it came from."""
    rows = await fetch(
        LedgerEntry._meta.db,
        "SELECT t.created_at AS at, t.kind AS kind, e.charge AS charge, c.order_ref AS order_ref, "
        "c.module AS module, e.party, e.amount, e.currency "
        "FROM linli_settlement_ledger_entry e "
        "JOIN linli_settlement_ledger_txn t ON t.id = e.txn "
        "LEFT JOIN linli_settlement_charge c ON c.id = e.charge "
        "WHERE e.community = {} AND e.account = {} ORDER BY e.id",
        community_id,
        account,
    )
    return [
        StatementLine(
            at=row["at"],
            kind=row["kind"],
            charge_id=f"ch_{row['charge']}" if row["charge"] else None,
            order_ref=row["order_ref"],
            module=row["module"],
            party=row["party"],
            # a payee's statement shows what it is owed as positive
            amount=Money(amount=-row["amount"], currency=row["currency"]),
        )
        for row in rows
    ]


async def ledger_records(community_id: int) -> list[Record]:
    """The ledger's view of every gateway object of a community, keyed like the gateway's."""
    intents = await GatewayIntent.select(
        GatewayIntent.key,
        GatewayIntent.action,
        GatewayIntent.amount,
        GatewayIntent.refund_ref,
        GatewayIntent.charge.currency.as_alias("currency"),
        GatewayIntent.charge,
        GatewayIntent.state,
    ).where(GatewayIntent.community == community_id)
    txns = await LedgerTxn.select(LedgerTxn.charge, LedgerTxn.kind, LedgerTxn.key).where(
        LedgerTxn.community == community_id
    )
    kinds: dict[int, set[str]] = {}
    for txn in txns:
        kinds.setdefault(txn["charge"], set()).add(txn["kind"])
    keys = {txn["key"] for txn in txns}
    records = []
    for intent in intents:
        posted = kinds.get(intent["charge"], set())
        if intent["action"] in ("charge", "authorize"):
            status = next(
                (s for s in ("voided", "captured", "authorized") if _POSTS[s] in posted),
                "failed" if intent["state"] == "failed" else "pending",  # refused: none posted
            )
            kind = "payment"
        elif intent["action"] == "refund":
            paid = ledger.txn_key(
                intent["charge"], ledger.TxnKind.REFUND_PAID, intent["refund_ref"]
            )
            status, kind = ("refunded" if paid in keys else "pending"), "refund"
        else:
            continue  # captures and voids change the payment's record
        records.append(Record(intent["key"], kind, intent["amount"], intent["currency"], status))
    return records + await _transfer_records(community_id)


_TRANSFERRED = {"payout": ("transfer", "transferred"), "reversal": ("reversal", "reversed")}


async def _transfer_records(community_id: int) -> list[Record]:
    """The ledger's side of each payout transfer and reversal (``pending`` until applied).

    A reversal the connected account refused (``clawback_pending``) or a transfer that failed
    made no object at the gateway, so it reads ``pending``: only a gateway object under its
    key would be a difference.
    """
    rows = await Transfer.select(
        Transfer.key, Transfer.kind, Transfer.amount, Transfer.currency, Transfer.state
    ).where(Transfer.community == community_id)
    records = []
    for row in rows:
        kind, done = _TRANSFERRED[row["kind"]]
        status = done if row["state"] == "done" else "pending"
        records.append(Record(row["key"], kind, row["amount"], row["currency"], status))
    return records
