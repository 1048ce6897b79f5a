"""The flash sale's two servers, seeding, serving and load, for bench/flash_sale.py and
bench/cpu_per_call.py.

The servers are imported by uvicorn (or Granian) in a subprocess: ``--factory _flash:...``.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from _flash_floor import floor_tables
from _raw_asgi import raw_json_app
from http_insert import free_port, stop_server  # bench/ is on the path: run as a script

BENCH = Path(__file__).parent
MODULE = "/v1/communities/bench/modules/group_buying"
STOCK_TABLE = "bench_flash_stock"

# --- the platform and the bare endpoint (uvicorn imports them: --factory _flash:...) ------


def platform_app() -> Any:
    """The real platform, configured from ``LINLI_*`` variables (seeded beforehand)."""
    from linli.http.app import create_app

    return create_app()


def bare_app() -> Any:
    """A raw ASGI app: ``POST /buy`` takes one unit with one conditional UPDATE, nothing else."""
    from linli.db.engines import make_engine

    engine = make_engine(os.environ["BENCH_DATABASE_URL"])
    take = f"UPDATE {STOCK_TABLE} SET qty = qty - 1 WHERE id = 1 AND qty >= 1 RETURNING qty"

    async def buy(scope: dict[str, Any], body: bytes) -> tuple[int, dict[str, Any]]:
        async with engine.transaction():
            rows = await engine.run_querystring(_querystring(take), in_pool=True)
        return (200, {"qty": rows[0]["qty"]}) if rows else (409, {"detail": "sold out"})

    return raw_json_app(engine, buy)


def _querystring(sql: str) -> Any:
    from piccolo.querystring import QueryString

    return QueryString(sql)


# --- seeding, serving, loading ---------------------------------------------------------------


async def seed(
    database_url: str, buyers: int, modules: tuple[str, ...] = ("group_buying",)
) -> tuple[str, list[str]]:
    """Migrate, create community ``bench`` with a leader and ``buyers`` residents, enable the
    modules and the bare endpoint's and floor's tables; the leader's token and the buyers'
    tokens."""
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
        tables = [f"CREATE TABLE {STOCK_TABLE} (id INTEGER PRIMARY KEY, qty INTEGER)"]
        for sql in tables + floor_tables(database_url.startswith("sqlite")):
            await engine.run_querystring(_querystring(sql))
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


def _qualified(factory: str) -> str:
    """``module:factory`` for the server (this module's when ``factory`` names none)."""
    return factory if ":" in factory else f"_flash:{factory}"


@contextmanager
def server_process(
    factory: str, env: dict[str, str], log: Path, workers: int = 1, server_name: str = "uvicorn"
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """As :func:`serving`, but the server's process as well as its base URL."""
    port = free_port()
    command = {
        "uvicorn": [
            sys.executable, "-m", "uvicorn", "--factory", _qualified(factory),
            "--app-dir", str(BENCH), "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--no-access-log", "--log-level", "warning",
        ],
        "granian": [
            sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--no-ws", "--log-level", "warning", _qualified(factory),
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
        stop_server(server)


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


async def reset_stock(database_url: str, count: int, row: int = 1) -> None:
    """Give the stock table's ``row`` (the bare endpoint's, or the floor's) ``count`` units."""
    from linli.db.engines import close_engine, make_engine, start_engine

    engine = make_engine(database_url)
    await start_engine(engine)
    try:
        await engine.run_querystring(_querystring(f"DELETE FROM {STOCK_TABLE} WHERE id = {row}"))
        await engine.run_querystring(
            _querystring(f"INSERT INTO {STOCK_TABLE} (id, qty) VALUES ({row}, {int(count)})")
        )
    finally:
        await close_engine(engine)
