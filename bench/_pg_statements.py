"""Per-statement times from PostgreSQL's ``pg_stat_statements``, for bench/flash_sale.py.

``PRELOAD`` is the setting a throwaway cluster needs (``linli.testing.postgres``); `reset`
creates the extension if needed and zeroes its counters; `slowest` reads, for the current
database, the statements that took the most time in all since the reset: how often each ran
and its mean time; `measured` runs a load between the two. A statement that waits for a row
lock counts its wait, which is what shows a hot row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

PRELOAD = {"shared_preload_libraries": "'pg_stat_statements'"}

_SLOWEST = """
SELECT calls, total_exec_time, mean_exec_time, query FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND query NOT ILIKE '%pg_catalog%' AND query NOT ILIKE '%pg_stat_statements%'
ORDER BY total_exec_time DESC LIMIT $1
"""


async def reset(url: str) -> None:
    """Zero the database's statement counters (creating the extension the first time)."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        await connection.execute("SELECT pg_stat_statements_reset()")
    finally:
        await connection.close()


async def slowest(url: str, limit: int = 25) -> list[dict[str, Any]]:
    """The ``limit`` statements with the most time in all since `reset`, the most first.

    The driver's catalogue lookups and this extension's own calls are left out.
    """
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(_SLOWEST, limit)
    finally:
        await connection.close()
    return [
        {
            "calls": row["calls"],
            "mean_ms": round(row["mean_exec_time"], 3),
            "total_ms": round(row["total_exec_time"], 1),
            "query": " ".join(row["query"].split())[:160],
        }
        for row in rows
    ]


def measured(enabled: bool, url: str, run: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """Run the load ``run``; if ``enabled`` on PostgreSQL, its slowest statements as well."""
    if not (enabled and url.startswith("postgres")):
        return asyncio.run(run)
    asyncio.run(reset(url))
    figures = asyncio.run(run)
    figures["statements"] = asyncio.run(slowest(url))
    for statement in figures["statements"][:5]:
        print(f"    {statement['mean_ms']:>9} ms x {statement['calls']:>6}  {statement['query']}")
    return figures
