"""Charges and their gateway intents in SQL: raw statements, as they run on every charge.

A new charge and its first intent are one statement on PostgreSQL (a data-modifying ``WITH``),
two on SQLite, which takes no data-modifying statement inside ``WITH``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from linli.db import raw

from .keys import intent_key, intent_key_around
from .tables import GatewayIntent, SettlementCharge

__all__ = [
    "ROWS_PER_STATEMENT",
    "charge_row",
    "charge_row_by_key",
    "close_intents",
    "decoded",
    "insert_intent",
    "open_charge",
    "pending_charges",
    "pending_intents",
]

ROWS_PER_STATEMENT = 2000
"""Rows per multi-row statement: under SQLite's and PostgreSQL's limits of bound variables."""

_CHARGE_COLUMNS = (
    "id, community, module, order_ref, charge_key, payer_id, payees, currency, amount, rules, "
    "gateway, created_at, expires_at"
)
_INTENT_COLUMNS = (
    "id, community, charge, key, action, refund_ref, amount, reason, state, outcome, created_at"
)
_NEW_CHARGE = (
    f"INSERT INTO linli_settlement_charge ({_CHARGE_COLUMNS.removeprefix('id, ')}) "
    f"VALUES {raw.values(12, 1)} ON CONFLICT (charge_key) DO NOTHING RETURNING id"
)
_NEW_CHARGE_AND_INTENT = (
    f"WITH c AS ({_NEW_CHARGE}), i AS ("
    "INSERT INTO linli_settlement_intent (community, charge, key, action, refund_ref, amount, "
    "reason, state, outcome, created_at) "
    "SELECT CAST({} AS INTEGER), c.id, CAST({} AS TEXT) || c.id || CAST({} AS TEXT), "
    "CAST({} AS TEXT), '', CAST({} AS INTEGER), '', 'pending', json_build_object(), "
    "CAST({} AS TIMESTAMPTZ) "
    "FROM c ON CONFLICT (key) DO NOTHING RETURNING id) "
    "SELECT c.id, (SELECT i.id FROM i) AS intent FROM c"
)


def _intent(
    community_id: int, charge_id: int, key: str, action: str, amount: int
) -> dict[str, Any]:
    """A new pending intent's row as stored, its ``id`` aside."""
    return {
        "community": community_id,
        "charge": charge_id,
        "key": key,
        "action": action,
        "refund_ref": "",
        "amount": amount,
        "reason": "",
        "state": "pending",
        "outcome": {},
        "created_at": datetime.now(UTC),
    }


async def open_charge(
    charge: Mapping[str, Any], action: str
) -> tuple[int, dict[str, Any] | None] | None:
    """Record a charge row (every column but ``id``) and its first pending intent.

    The intent asks the gateway for ``action`` on the whole amount. Returns the charge's id and
    the intent as stored, or ``None`` if the charge's key exists (and then no intent is
    written).
    """
    engine = SettlementCharge._meta.db
    values = [json_in(charge[name]) for name in _CHARGE_COLUMNS.split(", ")[1:]]
    community, amount = charge["community"], charge["amount"]
    if engine.engine_type != "postgres":
        rows = await raw.fetch(engine, _NEW_CHARGE, *values)
        if not rows:
            return None
        charge_id = int(rows[0]["id"])
        key = intent_key(community, charge_id, action)
        return charge_id, await insert_intent(community, charge_id, key, action, amount)
    before, after = intent_key_around(community, action)
    now = datetime.now(UTC)
    args = (community, before, after, action, amount, now)
    rows = await raw.fetch(engine, _NEW_CHARGE_AND_INTENT, *values, *args)
    if not rows:
        return None
    charge_id = int(rows[0]["id"])
    if rows[0]["intent"] is None:  # the intent's key was taken: never for a new charge's id
        return charge_id, None
    intent = _intent(community, charge_id, f"{before}{charge_id}{after}", action, amount)
    return charge_id, {"id": rows[0]["intent"], **intent, "created_at": now}


async def insert_intent(
    community_id: int,
    charge_id: int,
    key: str,
    action: str,
    amount: int,
    *,
    refund_ref: str = "",
    reason: str = "",
) -> dict[str, Any] | None:
    """Record a pending gateway intent; the row as stored, or ``None`` if its key exists."""
    row = {
        **_intent(community_id, charge_id, key, action, amount),
        "refund_ref": refund_ref,
        "reason": reason,
    }
    rows = await raw.fetch(
        GatewayIntent._meta.db,
        f"INSERT INTO linli_settlement_intent ({', '.join(row)}) VALUES {raw.values(len(row), 1)} "
        "ON CONFLICT (key) DO NOTHING RETURNING id",
        *(json_in(value) for value in row.values()),
    )
    return {"id": rows[0]["id"], **row} if rows else None


async def charge_row(community_id: int, charge_id: int) -> dict[str, Any] | None:
    """One charge row of a community (JSON columns decoded), or ``None``."""
    rows = await raw.fetch(
        SettlementCharge._meta.db,
        f"SELECT {_CHARGE_COLUMNS} FROM linli_settlement_charge "
        "WHERE id = {} AND community = {}",
        charge_id,
        community_id,
    )
    return decoded(rows[0], "payees", "rules") if rows else None


async def charge_row_by_key(charge_key: str) -> dict[str, Any] | None:
    """The charge recorded under ``charge_key`` (JSON columns decoded), or ``None``."""
    rows = await raw.fetch(
        SettlementCharge._meta.db,
        f"SELECT {_CHARGE_COLUMNS} FROM linli_settlement_charge WHERE charge_key = {{}}",
        charge_key,
    )
    return decoded(rows[0], "payees", "rules") if rows else None


async def pending_intents(community_id: int, charge_id: int) -> list[dict[str, Any]]:
    """The charge's intents still waiting for the gateway, oldest first."""
    rows = await raw.fetch(
        GatewayIntent._meta.db,
        f"SELECT {_INTENT_COLUMNS} FROM linli_settlement_intent "
        "WHERE community = {} AND charge = {} AND state = 'pending' ORDER BY id",
        community_id,
        charge_id,
    )
    return [decoded(row, "outcome") for row in rows]


async def pending_charges(community_id: int, before: datetime, limit: int) -> list[int]:
    """Charges of a community with an intent pending since before ``before``, oldest first."""
    rows = await (
        GatewayIntent.select(GatewayIntent.charge)
        .where(
            (GatewayIntent.community == community_id)
            & (GatewayIntent.state == "pending")
            & (GatewayIntent.created_at < before)
        )
        .order_by(GatewayIntent.charge)
        .distinct()
        .limit(limit)
    )
    return [row["charge"] for row in rows]


async def close_intents(closing: Sequence[tuple[int, str, Mapping[str, Any]]]) -> set[int]:
    """Move pending intents, each to its ``(id, state, outcome)``, in one statement per chunk.

    Returns the ids this call moved: an intent a racing confirm, sweep or webhook had already
    closed is left as it is. The ids must be distinct. Raw SQL (``UPDATE ... FROM (VALUES ...)``,
    run by SQLite and PostgreSQL alike): a group of captures closes all its intents at once.
    """
    engine = GatewayIntent._meta.db
    outcome = "CAST({} AS JSON)" if engine.engine_type == "postgres" else "{}"
    row = f"(CAST({{}} AS INTEGER), {{}}, {outcome})"  # PostgreSQL types a VALUES row as text
    closed: set[int] = set()
    for start in range(0, len(closing), ROWS_PER_STATEMENT):
        chunk = closing[start : start + ROWS_PER_STATEMENT]
        rows = await raw.fetch(
            engine,
            "UPDATE linli_settlement_intent SET state = v.column2, outcome = v.column3 "
            f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v "
            "WHERE id = v.column1 AND state = 'pending' RETURNING id",
            *(value for id_, state, out in chunk for value in (id_, state, json.dumps(out))),
        )
        closed.update(int(found["id"]) for found in rows)
    return closed


def json_in(value: Any) -> Any:
    """A value bound for a JSON column as its text; any other value unchanged."""
    return json.dumps(value) if isinstance(value, dict | list) else value


def decoded(row: dict[str, Any], *columns: str) -> dict[str, Any]:
    """``row`` with its JSON ``columns`` parsed (and a charge's expiry a datetime), any engine."""
    for column in columns:
        if isinstance(row[column], str | bytes):
            row[column] = json.loads(row[column])
    if isinstance(row.get("expires_at"), str):
        row["expires_at"] = datetime.fromisoformat(row["expires_at"])
    return row
