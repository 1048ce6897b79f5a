"""The flash sale's floor: a buy that keeps what the platform keeps, written by hand.

``floor_app`` is a raw ASGI app (``POST /buy``, served by uvicorn like ``_flash.bare_app``) on
the same database through the same engine. Per buy it does the least that the platform's
``buy-live-item`` must do, each step as directly as it can be written:

- the bearer token hashed and looked up in a dict (the members, read once at start-up);
- in one transaction: the buyer's allowance (an upsert), the order, the charge, its 13 ledger
  entries in one multi-row insert (the platform posts them after the commit), the purchase
  fact, and last the stock's conditional ``UPDATE`` (409 and nothing kept when sold out).

That is 8 round trips (``BEGIN`` and ``COMMIT`` included) where the bare endpoint makes 3. So
floor/bare is what that work costs at the least, whoever writes it, and linli/floor what the
platform spends above it (its guard, unit of work, plugin host, settlement and gateway).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from typing import Any

from _raw_asgi import raw_json_app

FLOOR_ROW = 2
"""The floor's row of the stock table (the bare endpoint takes from row 1)."""

ENTRIES = 13
"""Ledger entries per buy, as the platform writes for one captured charge."""


def floor_tables(sqlite: bool) -> list[str]:
    """The floor's tables, for SQLite or PostgreSQL."""
    key = "INTEGER PRIMARY KEY" if sqlite else "BIGSERIAL PRIMARY KEY"
    return [
        "CREATE TABLE bench_floor_allowance (buyer INTEGER PRIMARY KEY, qty INTEGER NOT NULL)",
        f"CREATE TABLE bench_floor_order (id {key}, buyer INTEGER NOT NULL, "
        "qty INTEGER NOT NULL, amount BIGINT NOT NULL)",
        f"CREATE TABLE bench_floor_charge (id {key}, order_id BIGINT NOT NULL, "
        "amount BIGINT NOT NULL, status TEXT NOT NULL)",
        f"CREATE TABLE bench_floor_entry (id {key}, charge BIGINT NOT NULL, "
        "account TEXT NOT NULL, amount BIGINT NOT NULL)",
        f"CREATE TABLE bench_floor_fact (id {key}, buyer INTEGER NOT NULL, "
        "item INTEGER NOT NULL, amount BIGINT NOT NULL, at TEXT NOT NULL)",
    ]


_ALLOWANCE = (
    "INSERT INTO bench_floor_allowance (buyer, qty) VALUES ({}, {}) ON CONFLICT (buyer) "
    "DO UPDATE SET qty = bench_floor_allowance.qty + excluded.qty RETURNING qty"
)
_ORDER = "INSERT INTO bench_floor_order (buyer, qty, amount) VALUES ({}, {}, {}) RETURNING id"
_CHARGE = (
    "INSERT INTO bench_floor_charge (order_id, amount, status) "
    "VALUES ({}, {}, 'captured') RETURNING id"
)
_ENTRIES = "INSERT INTO bench_floor_entry (charge, account, amount) VALUES " + ", ".join(
    ["({}, {}, {})"] * ENTRIES
)
_FACT = "INSERT INTO bench_floor_fact (buyer, item, amount, at) VALUES ({}, {}, {}, {})"
_TAKE = "UPDATE bench_flash_stock SET qty = qty - {} WHERE id = {} AND qty >= {} RETURNING qty"
PRICE = 1990


class _SoldOut(Exception):
    """Raised inside the transaction to roll the buy back."""


def floor_app() -> Any:
    """The raw ASGI app: ``POST /buy`` as described above."""
    from linli.db.engines import make_engine
    from piccolo.querystring import QueryString

    engine = make_engine(os.environ["BENCH_DATABASE_URL"])
    members: dict[str, int] = {}

    async def run(sql: str, *args: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await engine.run_querystring(
            QueryString(sql, *args), in_pool=True
        )
        return rows

    async def buy(buyer: int, quantity: int) -> dict[str, Any]:
        amount = PRICE * quantity
        async with engine.transaction():
            await run(_ALLOWANCE, buyer, quantity)
            (order,) = await run(_ORDER, buyer, quantity, amount)
            (charge,) = await run(_CHARGE, order["id"], amount)
            entries: list[Any] = []
            for n in range(ENTRIES):
                entries += [charge["id"], f"account-{n % 5}", amount if n % 2 else -amount]
            await run(_ENTRIES, *entries)
            await run(_FACT, buyer, FLOOR_ROW, amount, datetime.now(UTC).isoformat())
            taken = await run(_TAKE, quantity, FLOOR_ROW, quantity)
            if not taken:
                raise _SoldOut
        return {"order_id": order["id"], "charge_id": charge["id"], "stock_left": taken[0]["qty"]}

    async def load_members() -> None:
        for row in await run("SELECT id, token_hash FROM linli_member"):
            members[row["token_hash"]] = row["id"]

    async def endpoint(scope: dict[str, Any], body: bytes) -> tuple[int, dict[str, Any]]:
        headers = dict(scope["headers"])
        token = headers.get(b"authorization", b"").removeprefix(b"Bearer ")
        buyer = members.get(hashlib.sha256(token).hexdigest())
        if buyer is None:
            return 401, {"detail": "the token is not valid"}
        try:
            return 200, await buy(buyer, int(json.loads(body)["quantity"]))
        except _SoldOut:
            return 409, {"detail": "sold out"}

    return raw_json_app(engine, endpoint, load_members)
