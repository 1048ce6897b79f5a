"""Flash sale buys over HTTP: the platform's ``buy-live-item`` vs a bare conditional UPDATE.

For each database (a fresh SQLite file; a throwaway PostgreSQL cluster started the way
linli.testing does, when its binaries are installed) and each concurrency level
(64 and 256 clients), in the same run:

  linli: uvicorn (1 worker, 127.0.0.1) serving ``linli.http.app.create_app``; a leader puts an
         item on with as many units as there are requests; every request is a distinct resident
         buying one unit (auth, tenancy, enablement, rate limit, transaction, idempotency, the
         allowance and stock writes, the order and the captured charge in the ledger).
  bare:  uvicorn serving ``bare_app`` below, a raw ASGI endpoint doing only
         ``UPDATE bench_flash_stock SET qty = qty - 1 WHERE id = 1 AND qty >= 1`` in a
         transaction on the same database through the same engine.

httpx clients on keep-alive connections send a bounded number of requests; the script prints
buys/s, p50/p99 per request and the ratio linli/bare, checks nothing was oversold, writes
bench/results/flash_sale.json and stops every server it started.

    uv run python bench/flash_sale.py [--requests 2000] [--levels 64 256] [--db sqlite postgres]
                                      [--postgres-url URL] [--workers N] [--out FILE]
                                      [--server uvicorn|granian] [--statements]

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
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _pg_statements
import httpx
from http_insert import free_port  # bench/ is on the path: run as a script

BENCH = Path(__file__).parent
RESULTS = BENCH / "results"
MODULE = "/v1/communities/bench/modules/group_buying"
STOCK_TABLE = "bench_flash_stock"


# --- the two servers (imported by uvicorn in a subprocess: --factory flash_sale:...) ---------


def platform_app() -> Any:
    """The real platform, configured from ``LINLI_*`` variables (seeded beforehand)."""
    from linli.http.app import create_app

    return create_app()


def bare_app() -> Any:
    """A raw ASGI app: ``POST /buy`` takes one unit with one conditional UPDATE, nothing else."""
    from linli.db.engines import close_engine, make_engine, start_engine

    engine = make_engine(os.environ["BENCH_DATABASE_URL"])
    take = f"UPDATE {STOCK_TABLE} SET qty = qty - 1 WHERE id = 1 AND qty >= 1 RETURNING qty"

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await start_engine(engine)
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await close_engine(engine)
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        while (await receive()).get("more_body"):
            pass
        async with engine.transaction():
            rows = await engine.run_querystring(_querystring(take), in_pool=True)
        status, body = (200, {"qty": rows[0]["qty"]}) if rows else (409, {"detail": "sold out"})
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})

    return app


def _querystring(sql: str) -> Any:
    from piccolo.querystring import QueryString

    return QueryString(sql)


# --- seeding, serving, loading ---------------------------------------------------------------


async def seed(
    database_url: str, buyers: int, modules: tuple[str, ...] = ("group_buying",)
) -> tuple[str, list[str]]:
    """Migrate, create community ``bench`` with a leader and ``buyers`` residents, enable the
    modules and the bare endpoint's table; the leader's token and the buyers' tokens."""
    from linli.identity.members import add_member, create_community
    from linli.modules.enablement import set_module
    from linli.platform import Platform
    from linli.settings import Settings
    from linli_sdk import Role

    linli = Platform.from_settings(Settings(database_url=database_url))
    await linli.start(migrate_first=True)
    try:
        community = await create_community("bench", "Bench Court")
        leader = await add_member(community, "Lead", Role.LEADER, Role.RESIDENT)
        tokens = [
            (await add_member(community, f"Buyer {n}", Role.RESIDENT)).token for n in range(buyers)
        ]
        for module in modules:
            await set_module(linli, community, module, enabled=True)
        engine = linli.engine
        await engine.run_querystring(
            _querystring(f"CREATE TABLE {STOCK_TABLE} (id INTEGER PRIMARY KEY, qty INTEGER)")
        )
    finally:
        await linli.stop()
    return leader.token, tokens


@contextmanager
def serving(
    factory: str, env: dict[str, str], log: Path, workers: int = 1, server_name: str = "uvicorn"
) -> Iterator[str]:
    """Run ``factory`` under uvicorn or Granian (``workers`` processes, 127.0.0.1) until the
    block ends; its base URL."""
    with server_process(factory, env, log, workers, server_name) as (_, base):
        yield base


@contextmanager
def server_process(
    factory: str, env: dict[str, str], log: Path, workers: int = 1, server_name: str = "uvicorn"
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """As :func:`serving`, but the server's process as well as its base URL."""
    port = free_port()
    command = {
        "uvicorn": [
            sys.executable, "-m", "uvicorn", "--factory", f"flash_sale:{factory}",
            "--app-dir", str(BENCH), "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--no-access-log", "--log-level", "warning",
        ],
        "granian": [
            sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--no-ws", "--log-level", "warning", f"flash_sale:{factory}",
        ],
    }[server_name]  # fmt: skip
    path = os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, **env, "PYTHONPATH": path}  # granian imports flash_sale from bench/
    with log.open("ab") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{factory} did not start:\n{tail}")
            try:
                httpx.get(f"{base}/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield server, base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


async def load(
    base: str, clients: int, requests: list[tuple[dict[str, str], dict[str, Any]]], path: str
) -> dict[str, Any]:
    """Send every request once from ``clients`` concurrent keep-alive connections."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    queue = iter(requests)
    # One client (one connection) per worker: a shared httpx pool of 64+ connections is the
    # bottleneck itself (measured: 353 req/s with 8 connections, 92 with 64 on one pool).
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    pool = [httpx.AsyncClient(base_url=base, limits=one, timeout=120) for _ in range(clients)]

    async def worker(client: httpx.AsyncClient) -> None:
        for headers, body in queue:
            start = time.perf_counter()
            answer = await client.post(path, json=body, headers=headers)
            latencies.append(time.perf_counter() - start)
            statuses[answer.status_code] += 1

    try:
        began = time.perf_counter()
        await asyncio.gather(*(worker(client) for client in pool))
        elapsed = time.perf_counter() - began
    finally:
        await asyncio.gather(*(client.aclose() for client in pool))
    latencies.sort()

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)

    return {
        "requests": len(latencies),
        "ok": statuses[200],
        "per_s": round(statuses[200] / elapsed, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "seconds": round(elapsed, 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


BUY_PATH = f"{MODULE}/buy-live-item"


async def put_on_item(client: httpx.AsyncClient, leader: str, stock: int) -> tuple[int, int]:
    """Open a live session and put on one item with ``stock`` units: (session id, item id)."""
    lead = {"Authorization": f"Bearer {leader}"}
    opened = (
        await client.post(f"{MODULE}/open-live-session", json={"title": "Bench"}, headers=lead)
    ).json()
    item = (
        await client.post(
            f"{MODULE}/put-on-live-item",
            json={
                "session_id": opened["session_id"],
                "name": "Lychees 1 kg",
                "price": {"amount": 1990, "currency": "CNY"},
                "stock": stock,
                "minutes": 60,
            },
            headers=lead,
        )
    ).json()
    return opened["session_id"], item["id"]


def buy_requests(item_id: int, buyers: list[str]) -> list[tuple[dict[str, str], dict[str, Any]]]:
    """One buy of one unit of ``item_id`` by each buyer (headers, body)."""
    body = {"item_id": item_id, "quantity": 1}
    return [({"Authorization": f"Bearer {token}"}, body) for token in buyers]


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


async def reset_stock(database_url: str, count: int) -> None:
    """Give the bare endpoint's one row ``count`` units."""
    from linli.db.engines import close_engine, make_engine, start_engine

    engine = make_engine(database_url)
    await start_engine(engine)
    try:
        await engine.run_querystring(_querystring(f"DELETE FROM {STOCK_TABLE}"))
        await engine.run_querystring(
            _querystring(f"INSERT INTO {STOCK_TABLE} (id, qty) VALUES (1, {int(count)})")
        )
    finally:
        await close_engine(engine)


def bench_database(
    name: str, database_url: str, args: argparse.Namespace, scratch: Path
) -> list[dict[str, Any]]:
    """Every level on one database: the platform first, then the bare endpoint."""
    buyers = args.requests
    print(f"[{name}] seeding {buyers} buyers ...", flush=True)
    leader, tokens = asyncio.run(seed(database_url, buyers))
    env = {
        "LINLI_DATABASE_URL": database_url,
        "LINLI_DISPATCH_WORKER": "false",
        "LINLI_PLUGINS_ALLOW": "group_buying",
        "BENCH_DATABASE_URL": database_url,
    }
    log = scratch / f"{name}.log"
    results: dict[int, dict[str, Any]] = {}
    with serving("platform_app", env, log, args.workers, args.server) as base:
        for clients in args.levels:
            figures = _pg_statements.measured(
                args.statements, database_url, run_linli(base, leader, tokens, clients)
            )
            results[clients] = {
                "database": name,
                "clients": clients,
                "workers": args.workers,
                "server": args.server,
                "linli": figures,
            }
            print(f"[{name}] linli {clients:>3} clients: {_shown(figures)}", flush=True)
    with serving("bare_app", env, log, args.workers, args.server) as base:
        for clients in args.levels:
            figures = _pg_statements.measured(
                args.statements, database_url, run_bare(base, database_url, args.requests, clients)
            )
            results[clients]["bare"] = figures
            print(f"[{name}] bare  {clients:>3} clients: {_shown(figures)}", flush=True)
    for run in results.values():
        run["ratio"] = round(run["linli"]["per_s"] / run["bare"]["per_s"], 3)
        run["p99_ratio"] = round(run["linli"]["p99_ms"] / run["bare"]["p99_ms"], 2)
    return list(results.values())


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
          f"{'bare/s':>8} {'p99 ms':>8} {'ratio':>6} {'oversold':>8}")  # fmt: skip
    for run in runs:
        linli, bare = run["linli"], run["bare"]
        print(
            f"{run['database']:<9} {run['clients']:>7} {linli['per_s']:>13} {linli['p99_ms']:>8} "
            f"{bare['per_s']:>8} {bare['p99_ms']:>8} {run['ratio']:>6} {linli['oversold']:>8}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
