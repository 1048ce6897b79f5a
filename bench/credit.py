"""Credit recompute: every member's score from millions of credit events.

Loads N events about M members of one community (six modules, weights inside each event's
bounds, spread over two years) into ``linli_credit_event`` with the driver's bulk path
(``sqlite3.executemany`` in one transaction on SQLite, ``COPY`` through asyncpg on
PostgreSQL), indexes and append-only triggers in place. Then the timed recompute: read the
counting events (annulled ones left out) in one query, straight from the driver into NumPy
(subject, module code and weight packed into one integer in SQL), and score every member with
``linli.credit.model.scores`` (the function the API uses). A sample of members is checked
against the platform's own per-member path (``CreditBook.explain``). Prints seconds and
events/s; writes bench/results/credit.json.

    uv run python bench/credit.py [--members 100000] [--events 5000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from linli.credit import model
from linli.credit.ledger import Subject
from linli.identity.members import create_community
from linli.modules.registry import ModuleRegistry
from linli.platform import Platform
from linli.settings import Settings

RESULTS = Path(__file__).parent / "results"
CHUNK = 200_000
EVENTS = (  # module, event, min weight, max weight
    ("core", "picked_up_on_time", 1, 10),
    ("core", "no_show", -50, -10),
    ("group_buying", "picked_up", 1, 5),
    ("housekeeping", "cancelled_late", -20, -5),
    ("charity", "donated", 1, 15),
    ("gov_services", "kept_appointment", 1, 5),
    ("bill_payment", "paid_on_time", 1, 3),
)
_READ = (  # {plus}: SQLite would walk the (community, kind, subject) index row by row; a scan
    # of the table is ~5x faster when one community holds the rows (PostgreSQL decides itself)
    "SELECT ({packed}), e.occurred_ms FROM linli_credit_event e "
    "LEFT JOIN linli_credit_annulment a ON a.event = e.id "
    "WHERE {plus}e.community = {c} AND {plus}e.subject_kind = 'member' AND a.id IS NULL"
)
DTYPE = [("packed", np.int64), ("t", np.int64)]


def _query(modules: list[str], plus: str, placeholder: str) -> str:
    """The read: subject, module code and weight packed into one integer in SQL.

    The driver's cost is per row and per column (a Python tuple of Python ints), so two
    columns read ~1.5x faster than four; module names become codes in SQL, not per row in
    Python. Packing needs |weight| < 32768 and fewer than 64 modules (true here).
    """
    code = " ".join(f"WHEN '{m}' THEN {i}" for i, m in enumerate(modules))
    packed = (
        f"(CAST(e.subject_id AS BIGINT) * 64 + CASE e.module {code} END) * 65536 + e.weight + 32768"
    )
    return _READ.format(packed=packed, plus=plus, c=placeholder)


def _columns(found: np.ndarray) -> model.Columns:
    packed = found["packed"]
    return model.Columns(
        subject=packed >> 22,
        source=(packed >> 16) & 63,
        weight=(packed & 65535) - 32768,
        occurred_ms=found["t"].copy(),
    )


def generate(members: int, events: int, now_ms: int, seed: int = 5) -> dict[str, np.ndarray]:
    """Random events inside their bounds: subject, kind index, weight, time."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, len(EVENTS), events)
    low = np.array([e[2] for e in EVENTS])[kind]
    high = np.array([e[3] for e in EVENTS])[kind]
    return {
        "subject": rng.integers(1, members + 1, events),
        "kind": kind,
        "weight": rng.integers(low, high + 1),
        "occurred_ms": now_ms - rng.integers(0, 730 * 86_400_000, events),
    }


def rows(data: dict[str, np.ndarray], community: int, start: int, stop: int, recorded: Any):
    """The rows ``start:stop`` as the table's columns (``COLUMNS``)."""
    names = [(m, e) for m, e, _, _ in EVENTS]
    for i, subject, kind, weight, when in zip(
        range(start, stop),
        data["subject"][start:stop].tolist(),
        data["kind"][start:stop].tolist(),
        data["weight"][start:stop].tolist(),
        data["occurred_ms"][start:stop].tolist(),
        strict=True,
    ):
        module, event = names[kind]
        ident = f"ev{i}"
        scope = f"{community}:{module}:{ident}"
        yield (community, "member", subject, module, event, weight, ident, scope, when, recorded)


COLUMNS = (
    "community, subject_kind, subject_id, module, event, weight, event_id, scope_key, "
    "occurred_ms, recorded_at"
)


def load_sqlite(path: str, data: dict[str, np.ndarray], community: int) -> None:
    """Insert every event with ``executemany`` in one transaction."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA cache_size=-1000000")  # 1 GB: the indexes stay in memory
    total = len(data["subject"])
    recorded = datetime.now(UTC).isoformat()
    with connection:
        for start in range(0, total, CHUNK):
            connection.executemany(
                f"INSERT INTO linli_credit_event ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                rows(data, community, start, min(total, start + CHUNK), recorded),
            )
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


async def load_postgres(url: str, data: dict[str, np.ndarray], community: int) -> None:
    """Copy every event in with asyncpg's ``COPY`` in one transaction."""
    import asyncpg

    connection = await asyncpg.connect(url)
    total = len(data["subject"])
    recorded = datetime.now(UTC)
    try:
        async with connection.transaction():
            for start in range(0, total, CHUNK):
                await connection.copy_records_to_table(
                    "linli_credit_event",
                    records=list(rows(data, community, start, min(total, start + CHUNK), recorded)),
                    columns=[c.strip() for c in COLUMNS.split(",")],
                )
    finally:
        await connection.close()


def read_sqlite(path: str, community: int, modules: list[str]) -> model.Columns:
    connection = sqlite3.connect(path)
    cursor = connection.execute(_query(modules, "+", "?"), (community,))
    found = np.fromiter(cursor, DTYPE)
    connection.close()
    return _columns(found)


async def read_postgres(url: str, community: int, modules: list[str]) -> model.Columns:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        records = await connection.fetch(_query(modules, "", "$1"), community)
    finally:
        await connection.close()
    return _columns(np.fromiter((tuple(r) for r in records), DTYPE, len(records)))


async def main(members: int, events: int, database_url: str | None) -> dict[str, Any]:
    scratch = tempfile.mkdtemp(prefix="linli-bench-credit-")
    url = database_url or f"sqlite:///{scratch}/credit.db"
    settings = Settings(database_url=url, dispatch_worker=False)
    platform_ = Platform.from_settings(settings, registry=ModuleRegistry())
    await platform_.start(migrate_first=True)
    community = await create_community("bench", "Bench Court")
    now = datetime.now(UTC)
    now_ms = model.epoch_ms(now)
    data = generate(members, events, now_ms)
    sqlite_path = settings.sqlite_path

    started = time.perf_counter()
    if sqlite_path is not None:
        await platform_.stop()  # the bulk load writes with the driver directly
        load_sqlite(str(sqlite_path), data, community.id)
    else:
        await load_postgres(url, data, community.id)
    load_seconds = time.perf_counter() - started

    modules = sorted({m for m, _, _, _ in EVENTS})
    book = platform_.credit
    started = time.perf_counter()
    if sqlite_path is not None:
        cols = read_sqlite(str(sqlite_path), community.id, modules)
    else:
        cols = await read_postgres(url, community.id, modules)
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    subjects, scores = model.scores(cols, now_ms, book.model)
    compute_seconds = time.perf_counter() - started
    total = read_seconds + compute_seconds

    if sqlite_path is not None:
        await platform_.start()
    by_subject = dict(zip(subjects.tolist(), scores.tolist(), strict=True))
    sample = [int(s) for s in np.random.default_rng(1).choice(subjects, 20, replace=False)]
    agree = [
        (await book.explain(community, Subject("member", s), now)).score == by_subject[s]
        for s in sample
    ]
    await platform_.stop()
    shutil.rmtree(scratch, ignore_errors=True)  # a gigabyte of SQLite file
    return {
        "members": len(subjects),
        "events": len(cols.weight),
        "database": "sqlite" if sqlite_path is not None else "postgresql",
        "load_seconds": round(load_seconds, 2),
        "load_events_per_second": round(events / load_seconds),
        "read_seconds": round(read_seconds, 2),
        "compute_seconds": round(compute_seconds, 2),
        "recompute_seconds": round(total, 2),
        "recompute_events_per_second": round(events / total),
        "compute_events_per_second": round(events / compute_seconds),
        "score_mean": round(float(scores.mean()), 1),
        "score_min": int(scores.min()),
        "score_max": int(scores.max()),
        "sample_agrees_with_per_member_path": all(agree),
    }


def run() -> None:
    """Parse the arguments, run, print, write the results."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--out", type=Path, default=RESULTS / "credit.json")
    args = parser.parse_args()
    result = asyncio.run(main(args.members, args.events, args.database_url))
    report = {
        "benchmark": "credit",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
        "result": result,
    }
    for key, value in result.items():
        print(f"{key:>36}: {value}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    run()
