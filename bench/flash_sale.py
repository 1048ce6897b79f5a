"""Flash sale buys over HTTP: the platform's ``buy-live-item`` vs a bare conditional UPDATE.

For each database (a fresh SQLite file; a throwaway PostgreSQL cluster started the way
linli.testing does, when its binaries are installed) and each concurrency level
(64 and 256 clients), in the same run:

  linli: uvicorn (1 worker, 127.0.0.1) serving ``linli.http.app.create_app``; a leader puts an
         item on with as many units as there are requests; every request is a distinct resident
         buying one unit (auth, tenancy, enablement, rate limit, transaction, idempotency, the
         allowance and stock writes, the order and the captured charge in the ledger).
  floor: uvicorn serving ``floor_app`` (bench/_flash_floor.py), a raw ASGI endpoint doing
         by hand the least a buy must keep: the token looked up in a dict; the allowance,
         order, charge, its 13 ledger entries, the purchase fact and the stock in one
         transaction (8 round trips).
  bare:  uvicorn serving ``bare_app`` (bench/_flash.py), a raw ASGI endpoint doing only
         ``UPDATE bench_flash_stock SET qty = qty - 1 WHERE id = 1 AND qty >= 1`` in a
         transaction on the same database through the same engine.

httpx clients on keep-alive connections send a bounded number of requests; the script prints
buys/s, p50/p99 per request and the ratios linli/bare and floor/bare, checks nothing was
oversold, writes
bench/results/flash_sale.json and stops every server it started.

    uv run python bench/flash_sale.py [--requests 2000] [--levels 64 256] [--db sqlite postgres]
                                      [--postgres-url URL] [--workers N] [--out FILE]
                                      [--server uvicorn|granian] [--statements] [--repeat N]

``--repeat N`` runs each side N times per level, the platform and the bare endpoint taking turns,
and counts each side's median run by rate (every run's rate and p99 are kept beside it): the
bare endpoint's rate moves by about a tenth from run to run on a small machine.

``--statements`` (PostgreSQL) also records, per run, the statements that took the most time in
all (``pg_stat_statements``, preloaded in the throwaway cluster; bench/_pg_statements.py):
a statement waiting for a row lock shows its wait there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _pg_statements
import httpx
from _flash import (  # bench/ is on the path: run as a script
    BUY_PATH,
    MODULE,
    buy_requests,
    load,
    put_on_item,
    reset_stock,
    seed,
    serving,
)
from _flash_floor import FLOOR_ROW

BENCH = Path(__file__).parent
RESULTS = BENCH / "results"


async def run_linli(base: str, leader: str, buyers: list[str], clients: int) -> dict[str, Any]:
    """Put on an item with one unit per buyer, let every buyer buy one; check the counts."""
    lead = {"Authorization": f"Bearer {leader}"}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        session_id, item_id = await put_on_item(client, leader, len(buyers))
        figures = await load(base, clients, buy_requests(item_id, buyers), BUY_PATH)
        board = (
            await client.get(
                f"{MODULE}/live-session", params={"session_id": session_id}, headers=lead
            )
        ).json()
    shown = board["items"][0]
    figures["stock_left"], figures["sold"] = shown["stock_left"], shown["sold"]
    figures["oversold"] = max(0, shown["sold"] - shown["stock"])
    return figures


async def run_bare(base: str, database_url: str, count: int, clients: int) -> dict[str, Any]:
    """Reset the bare stock to ``count`` units and take them one request at a time."""
    await reset_stock(database_url, count)
    return await load(base, clients, [({}, {})] * count, "/buy")


async def run_floor(
    base: str, database_url: str, buyers: list[str], clients: int
) -> dict[str, Any]:
    """Reset the floor's stock to one unit per buyer and let every buyer buy one."""
    await reset_stock(database_url, len(buyers), FLOOR_ROW)
    return await load(base, clients, buy_requests(FLOOR_ROW, buyers), "/buy")


SIDES = ("linli", "floor", "bare")


def bench_database(
    name: str, database_url: str, args: argparse.Namespace, scratch: Path
) -> list[dict[str, Any]]:
    """Every level on one database, ``--repeat`` times: the platform, the floor, the bare
    endpoint, each side's server in turn."""
    buyers = args.requests
    print(f"[{name}] seeding {buyers} buyers ...", flush=True)
    leader, tokens = asyncio.run(seed(database_url, buyers))
    env = {
        "LINLI_DATABASE_URL": database_url,
        "LINLI_DISPATCH_WORKER": "false",
        "LINLI_PLUGINS_ALLOW": "group_buying",
        "BENCH_DATABASE_URL": database_url,
    }
    runners: dict[str, tuple[str, Callable[[str, int], Coroutine[Any, Any, dict[str, Any]]]]] = {
        "linli": ("platform_app", lambda base, n: run_linli(base, leader, tokens, n)),
        "floor": (
            "_flash_floor:floor_app",
            lambda base, n: run_floor(base, database_url, tokens, n),
        ),
        "bare": ("bare_app", lambda base, n: run_bare(base, database_url, args.requests, n)),
    }
    log = scratch / f"{name}.log"
    measured: dict[int, dict[str, list[dict[str, Any]]]] = {
        clients: {side: [] for side in SIDES} for clients in args.levels
    }
    for _ in range(args.repeat):  # the sides take turns, so drift in the machine hits each
        for side in SIDES:
            factory, runner = runners[side]
            with serving(factory, env, log, args.workers, args.server) as base:
                for clients in args.levels:
                    figures = _pg_statements.measured(
                        args.statements, database_url, runner(base, clients)
                    )
                    measured[clients][side].append(figures)
                    print(f"[{name}] {side:<5} {clients:>3} clients: {_shown(figures)}", flush=True)
    return [_level(name, clients, args, runs) for clients, runs in measured.items()]


def _level(
    name: str, clients: int, args: argparse.Namespace, runs: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """One level's figures: each side's median run by rate, and the ratios of the medians."""
    linli, floor, bare = (_median_run(runs[side]) for side in SIDES)
    linli["oversold"] = max(run["oversold"] for run in runs["linli"])  # in any run
    return {
        "database": name,
        "clients": clients,
        "workers": args.workers,
        "server": args.server,
        "repeats": len(runs["linli"]),
        "linli": linli,
        "floor": floor,
        "bare": bare,
        "ratio": round(linli["per_s"] / bare["per_s"], 3),
        "p99_ratio": round(linli["p99_ms"] / bare["p99_ms"], 2),
        "floor_ratio": round(floor["per_s"] / bare["per_s"], 3),
        "linli_over_floor": round(linli["per_s"] / floor["per_s"], 3),
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median rate (the lower middle one of an even number), with every run's
    rate and p99 beside it."""
    ranked = sorted(runs, key=lambda run: run["per_s"])
    median = dict(ranked[(len(ranked) - 1) // 2])
    median["per_s_runs"] = [run["per_s"] for run in runs]
    median["p99_ms_runs"] = [run["p99_ms"] for run in runs]
    return median


def _shown(figures: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in figures.items() if key != "statements"}


@contextmanager
def postgres(statements: bool = False) -> Iterator[str | None]:
    """A throwaway PostgreSQL database URL (linli.testing.postgres), or ``None`` without one."""
    from linli.testing.postgres import PostgresNotFoundError, temporary_postgres

    try:
        with temporary_postgres(settings=_pg_statements.PRELOAD if statements else None) as server:
            yield server.new_database("flash_sale")
    except PostgresNotFoundError as exc:
        print(f"[postgres] skipped: {exc}", flush=True)
        yield None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="buys per level (bounded)")
    parser.add_argument("--levels", type=int, nargs="+", default=[64, 256])
    parser.add_argument(
        "--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument(
        "--postgres-url", default=None, help="an existing empty database instead of a new cluster"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes for each app (PostgreSQL only)"
    )
    parser.add_argument(
        "--server",
        choices=["uvicorn", "granian"],
        default="uvicorn",
        help="granian is not a dependency: uv run --with granian python bench/flash_sale.py ...",
    )
    parser.add_argument(
        "--statements", action="store_true", help="PostgreSQL: record each run's slowest statements"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each side per level; the medians count"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "flash_sale.json")
    args = parser.parse_args()
    if args.workers > 1 and "sqlite" in args.db:
        parser.error("--workers above 1 is for PostgreSQL: pass --db postgres")
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="linli-flash-") as tmp:
        scratch = Path(tmp)
        if "sqlite" in args.db:
            runs += bench_database("sqlite", f"sqlite:///{scratch / 'flash.db'}", args, scratch)
        if "postgres" in args.db and args.postgres_url:
            runs += bench_database("postgres", args.postgres_url, args, scratch)
        elif "postgres" in args.db:
            with postgres(args.statements) as url:
                if url:
                    runs += bench_database("postgres", url, args, scratch)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "requests_per_level": args.requests,
        "runs": runs,
    }
    print()
    print(f"{'database':<9} {'clients':>7} {'linli buys/s':>13} {'p99 ms':>8} "
          f"{'floor/s':>8} {'bare/s':>8} {'p99 ms':>8} {'ratio':>6} {'floor':>6} "
          f"{'oversold':>8}")  # fmt: skip
    for run in runs:
        linli, floor, bare = run["linli"], run["floor"], run["bare"]
        print(
            f"{run['database']:<9} {run['clients']:>7} {linli['per_s']:>13} {linli['p99_ms']:>8} "
            f"{floor['per_s']:>8} {bare['per_s']:>8} {bare['p99_ms']:>8} {run['ratio']:>6} "
            f"{run['floor_ratio']:>6} {linli['oversold']:>8}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
