"""Raw SQL on the running engine, without Piccolo's query building: the hot path's statements.

``Table.raw(sql, *args)`` wraps every argument in a ``QueryString`` and walks the tree to
compile it, which costs more than SQLite spends running a small insert. :func:`fetch` takes
the same ``{}`` placeholders, compiles each distinct statement once per dialect and hands the
arguments straight to the driver, inside the current Piccolo transaction when there is one,
so it mixes freely with Piccolo queries in one unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

__all__ = ["PlatformPostgresEngine", "compiled", "fetch", "values"]


@lru_cache(maxsize=1024)
def compiled(sql: str, dialect: str) -> str:
    """``sql`` with its ``{}`` placeholders as the driver writes them (``?`` or ``$1, $2 …``)."""
    parts = sql.split("{}")
    if dialect == "sqlite":
        return "?".join(parts)
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


def values(columns: int, rows: int) -> str:
    """``({}, {}), ({}, {})``: the placeholders of a multi-row ``VALUES`` clause."""
    row = "(" + ", ".join(["{}"] * columns) + ")"
    return ", ".join([row] * rows)


async def fetch(engine: Engine[Any], sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run ``sql`` (``{}`` for each argument) on ``engine``; its rows as dicts.

    The platform's engines run it themselves (``fetch_sql``, the SDK's
    :class:`linli_sdk.sql.DirectSQL`); a plain Piccolo PostgreSQL engine is served here too.
    """
    direct = getattr(engine, "fetch_sql", None)
    if direct is not None:
        rows: list[dict[str, Any]] = await direct(sql, args)
        return rows
    return await _postgres(engine, sql, args)


async def _postgres(engine: Any, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
    statement = compiled(sql, "postgres")
    transaction = engine.current_transaction.get()
    if transaction is not None:
        records = await transaction.connection.fetch(statement, *args)
    elif getattr(engine, "pool", None) is not None:
        async with engine.pool.acquire() as connection:
            records = await connection.fetch(statement, *args)
    else:
        records = await engine._run_in_new_connection(statement, list(args))
    return [dict(record) for record in records]


class PlatformPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine that also runs written SQL itself (``fetch_sql``)."""

    async def fetch_sql(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        """Run ``sql`` (``{}`` for each argument) in the current transaction if any; its rows."""
        return await _postgres(self, sql, args)
