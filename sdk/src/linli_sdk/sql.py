"""Written SQL on a module's own tables, without Piccolo's query building.

``await sql.fetch(LiveItem, "SELECT * FROM group_buying_live_item WHERE id = {}", item_id)``
runs one statement on the engine the table is bound to, inside the call's transaction when
there is one, and answers its rows as dicts — what ``await LiveItem.raw(...)`` answers, with
the same ``{}`` placeholders. On the platform the statement is compiled once per process and
its arguments go straight to the database driver: Piccolo's ``Table.raw`` wraps each argument
and walks the query to compile it on every call, which on a hot path costs more than the
database spends running a small statement. Elsewhere (the kit's SQLite engine, any other
Piccolo engine) it runs as ``table.raw(sql, *args)``; ``tests/conformance`` checks that both
answer the same rows.

A module uses it only for its own tables, and only where a statement runs on every call under
load; Piccolo's query builder stays the way to write the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

__all__ = ["DirectSQL", "fetch"]


@runtime_checkable
class DirectSQL(Protocol):
    """An engine that runs written SQL itself (the platform's engines implement it)."""

    async def fetch_sql(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        """Run ``sql`` (``{}`` for each argument) in the current transaction if any; its rows."""
        ...


async def fetch(table: Any, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run ``sql`` (a ``{}`` for each argument) on the engine ``table`` is bound to; its rows.

    ``table`` is one of the module's Piccolo tables. The rows are dicts keyed by column name,
    as ``Table.raw`` gives them; a statement without ``RETURNING`` or ``SELECT`` answers ``[]``.
    """
    direct = getattr(table._meta.db, "fetch_sql", None)  # a DirectSQL engine
    if direct is not None:
        rows: list[dict[str, Any]] = await direct(sql, args)
        return rows
    raw: list[dict[str, Any]] = await table.raw(sql, *args)
    return raw
