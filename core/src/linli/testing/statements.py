"""Counting the SQL statements a piece of work runs on the embedded SQLite engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

__all__ = ["sqlite_statements"]


@asynccontextmanager
async def sqlite_statements(engine: Any) -> AsyncIterator[list[str]]:
    """Every statement ``engine``'s SQLite connection runs inside the block, in order.

    Traced by the driver (``BEGIN`` and ``COMMIT`` included), so the list is the work's true
    cost in statements; it is complete once the block has exited.
    """
    async with engine.lock():
        connection = await engine.connection()
    statements: list[str] = []
    await connection.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        await connection.set_trace_callback(None)
