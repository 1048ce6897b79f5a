"""Concurrent SQLite inserts: Piccolo's stock engine vs SerializedSQLiteEngine vs raw aiosqlite.

64 async clients share N inserts (autocommit, one row each, ``RETURNING id`` everywhere) on a
fresh WAL file per engine. Prints a table and writes bench/results/sqlite_writes.json.

    uv run python bench/sqlite_writes.py [--inserts 5000] [--clients 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
from linli.db.sqlite import SerializedSQLiteEngine
from piccolo.columns import Integer, Varchar
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

RESULTS = Path(__file__).parent / "results"
CREATE = (
    "CREATE TABLE bench_row (id INTEGER PRIMARY KEY, client INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, note VARCHAR(100) NOT NULL)"
)
INSERT = "INSERT INTO bench_row (client, seq, note) VALUES (?, ?, ?) RETURNING id"

Insert = Callable[[int, int], Awaitable[object]]


class BenchRow(Table, tablename="bench_row"):
    client = Integer()
    seq = Integer()
    note = Varchar(length=100)


def fresh_db(directory: str, name: str) -> str:
    path = os.path.join(directory, f"{name}.db")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = WAL")  # persistent: every later connection gets WAL
        db.execute(CREATE)
    return path


def piccolo_insert(engine: SQLiteEngine) -> Insert:
    BenchRow._meta.db = engine

    async def insert(client: int, seq: int) -> object:
        return await BenchRow.insert(BenchRow(client=client, seq=seq, note="hello")).run()

    return insert


async def raw_aiosqlite(path: str) -> tuple[Insert, Callable[[], Awaitable[None]]]:
    db = await aiosqlite.connect(path, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "busy_timeout = 10000"):
        await db.execute(f"PRAGMA {pragma}")
    lock = asyncio.Lock()

    async def insert(client: int, seq: int) -> object:
        async with lock, db.execute(INSERT, (client, seq, "hello")) as cursor:
            return await cursor.fetchall()

    return insert, db.close


def quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


async def run(
    name: str, path: str, insert: Insert, inserts: int, clients: int
) -> dict[str, object]:
    latencies: list[float] = []
    errors: dict[str, int] = {}

    async def client(number: int, count: int) -> None:
        for seq in range(count):
            started = time.perf_counter()
            try:
                await insert(number, seq)
            except Exception as exc:
                key = f"{type(exc).__name__}: {exc}"
                errors[key] = errors.get(key, 0) + 1
            else:
                latencies.append(time.perf_counter() - started)

    shares = [inserts // clients + (i < inserts % clients) for i in range(clients)]
    started = time.perf_counter()
    await asyncio.gather(*(client(i, n) for i, n in enumerate(shares)))
    elapsed = time.perf_counter() - started
    with sqlite3.connect(path) as db:
        (rows,) = db.execute("SELECT count(*) FROM bench_row").fetchone()
    latencies.sort()
    return {
        "engine": name,
        "inserts": inserts,
        "ok": len(latencies),
        "rows_in_db": rows,
        "errors": sum(errors.values()),
        "database_is_locked": sum(n for k, n in errors.items() if "database is locked" in k),
        "error_kinds": errors,
        "seconds": round(elapsed, 3),
        "inserts_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(quantile(latencies, 0.50) * 1000, 3),
        "p99_ms": round(quantile(latencies, 0.99) * 1000, 3),
    }


async def main(inserts: int, clients: int) -> list[dict[str, object]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="linli-bench-") as tmp:
        path = fresh_db(tmp, "stock")
        insert = piccolo_insert(SQLiteEngine(path=path))
        results.append(await run("piccolo SQLiteEngine (WAL)", path, insert, inserts, clients))

        path = fresh_db(tmp, "serialized")
        engine = SerializedSQLiteEngine(path=path)
        insert = piccolo_insert(engine)
        results.append(await run("SerializedSQLiteEngine", path, insert, inserts, clients))
        await engine.close()

        path = fresh_db(tmp, "raw")
        insert, close = await raw_aiosqlite(path)
        results.append(await run("raw aiosqlite + lock", path, insert, inserts, clients))
        await close()
    return results


def print_table(results: list[dict[str, object]]) -> None:
    header = (
        f"{'engine':<28} {'inserts/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7} {'locked':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['engine']:<28} {r['inserts_per_s']:>10} {r['p50_ms']:>9} {r['p99_ms']:>9}"
            f" {r['errors']:>7} {r['database_is_locked']:>7}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inserts", type=int, default=5000, help="inserts in total (default 5000)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (default 64)")
    parser.add_argument("--out", type=Path, default=RESULTS / "sqlite_writes.json")
    args = parser.parse_args()

    results = asyncio.run(main(args.inserts, args.clients))
    version = sqlite3.sqlite_version
    print(f"{args.inserts} inserts, {args.clients} concurrent clients, SQLite {version}")
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "sqlite_writes",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "inserts": args.inserts,
        "clients": args.clients,
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
        "results": results,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.out}")
