"""One-row inserts over HTTP: the real Linli platform vs a bare Litestar route, same engine.

Starts three uvicorn servers, one after the other (1 worker each, fresh SQLite files, 127.0.0.1):
  linli: ``linli.http.app.create_app`` with the notice board enabled for a seeded community;
     load is POST /v1/communities/bench/modules/noticeboard/post-notice as a leader.
  floor: bench/_servers.py ``floor_app``: the bare route plus the least any command must do
     (token and enablement looked up in dicts, the input boundary, the notice and its outbox
     event written in one transaction), each step as direct as it can be.
  bare: bench/_servers.py ``bare_app``: POST /notices inserting the same row with the same
     SerializedSQLiteEngine (no auth, tenancy, enablement, transaction, event or plugin).
Loads each with 64 connections for a fixed time (wrk if installed, else an httpx load generator),
prints requests/s, p50/p99 and non-2xx for each and the ratios Linli/bare, floor/bare and
Linli/floor, writes bench/results/http_insert.json, and stops the servers.

    uv run python bench/http_insert.py [--duration 10] [--connections 64] [--load auto|wrk|python]
                                       [--repeat N]

``--repeat N`` makes N rounds, each as one run of the script (fresh databases, the three servers
in turn), and reports each server's median run by rate (every run's rate kept beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from linli.identity.members import add_member, create_community
from linli.modules.enablement import set_module
from linli.platform import Platform
from linli.settings import Settings
from linli_sdk import Role

BENCH = Path(__file__).parent
RESULTS = BENCH / "results"
BODY = '{"title": "Bench notice", "body": "Water is off on Tuesday from 9 to 11."}'
LINLI_PATH = "/v1/communities/bench/modules/noticeboard/post-notice"
FLOOR_PATH = "/v1/communities/bench/notices"


async def seed_linli(db: Path) -> str:
    """Migrate a fresh platform database, enable the notice board; return a leader's token."""
    settings = Settings(database_url=f"sqlite:///{db}")
    linli = Platform.from_settings(settings)
    await linli.start(migrate_first=True)
    try:
        community = await create_community("bench", "Bench Court")
        leader = await add_member(community, "Lead", Role.LEADER, Role.RESIDENT)
        await set_module(linli, community, "noticeboard", enabled=True)
    finally:
        await linli.stop()
    return leader.token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    factory: str, env: dict[str, str], log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--factory", f"_servers:{factory}",
        "--app-dir", str(BENCH), "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(command, env={**os.environ, **env}, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{factory} exited with {server.returncode}:\n{log.read_text()}")
        try:
            httpx.get(base + "/", timeout=1)  # any answer (a 404) means it is serving
            return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"{factory} did not start within 60 s:\n{log.read_text()}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def wrk_load(url: str, token: str, connections: int, duration: int, threads: int) -> dict:
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
        "-s", str(BENCH / "wrk_post.lua"), url,
    ]  # fmt: skip
    env = {**os.environ, "BENCH_BODY": BODY, "BENCH_TOKEN": token}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + 60)
    out = done.stdout
    match = re.search(r"^WRK_JSON (.*)$", out, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{out}{done.stderr}")
    raw = json.loads(match.group(1))
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "requests_per_s": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "non_2xx": raw["non_2xx"],  # wrk counts statuses >= 400
        "socket_errors": sum(raw[k] for k in ("connect", "read", "write", "timeout")),
    }


async def python_load(url: str, token: str, connections: int, duration: int) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    latencies: list[float] = []
    non_2xx = errors = 0
    # one client (one keep-alive connection) per worker: a shared 64-connection httpx pool
    # spends milliseconds of CPU per request handing out connections. Plain HTTP: no CA loading.
    clients = [httpx.AsyncClient(timeout=30, verify=False) for _ in range(connections)]
    started = time.perf_counter()
    deadline = started + duration

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal non_2xx, errors
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            try:
                response = await client.post(url, content=BODY, headers=headers)
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - sent)
            non_2xx += not 200 <= response.status_code < 300

    await asyncio.gather(*(worker(client) for client in clients))
    seconds = time.perf_counter() - started
    for client in clients:
        await client.aclose()
    latencies.sort()

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2)

    return {
        "requests": len(latencies),
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "max_ms": pct(1.0),
        "non_2xx": non_2xx,
        "socket_errors": errors,
    }


def load(tool: str, url: str, token: str, args: argparse.Namespace, duration: int) -> dict:
    if tool == "wrk":
        return wrk_load(url, token, args.connections, duration, args.threads)
    return asyncio.run(python_load(url, token, args.connections, duration))


def median_run(runs: list[dict]) -> dict:
    """The run with the median rate (the lower middle one of an even number), every run's rate
    beside it."""
    ranked = sorted(runs, key=lambda run: run["requests_per_s"])
    return {
        **ranked[(len(ranked) - 1) // 2],
        "requests_per_s_runs": [r["requests_per_s"] for r in runs],
    }


def count_rows(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return int(conn.execute("SELECT count(*) FROM noticeboard_notice").fetchone()[0])


SERVERS = ("linli", "floor", "bare")


def one_round(tool: str, args: argparse.Namespace) -> list[dict]:
    """Seed fresh databases, start the three servers, load each in turn, stop them."""
    results = []
    with tempfile.TemporaryDirectory(prefix="linli-bench-") as tmp:
        dbs = {name: Path(tmp, f"{name}.db") for name in SERVERS}
        token = asyncio.run(seed_linli(dbs["linli"]))
        targets = [
            ("linli", {"LINLI_DATABASE_URL": f"sqlite:///{dbs['linli']}"}, LINLI_PATH),
            ("floor", {"BENCH_DB": str(dbs["floor"]), "BENCH_TOKEN": token}, FLOOR_PATH),
            ("bare", {"BENCH_DB": str(dbs["bare"])}, "/notices"),
        ]
        servers = []
        try:
            for name, env, path in targets:
                auth, db = ("" if name == "bare" else token), dbs[name]
                server, base = start_server(f"{name}_app", env, Path(tmp, f"{name}.log"))
                servers.append(server)
                if args.warmup > 0:
                    load(tool, base + path, auth, args, args.warmup)
                before = count_rows(db)
                result = load(tool, base + path, auth, args, args.duration)
                result = {"server": name, "url": path, **result}
                result["rows_inserted"] = count_rows(db) - before
                results.append(result)
        finally:
            for server in servers:
                stop_server(server)
        for result in results:
            log = Path(tmp, f"{result['server']}.log").read_text(errors="replace")
            result["database_is_locked_in_log"] = log.count("database is locked")
            result["log_tail"] = log[-2000:]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per server (10)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds first (2)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections (64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--load", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds on fresh databases; medians count (1)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "http_insert.json")
    args = parser.parse_args()
    tool = args.load if args.load != "auto" else ("wrk" if shutil.which("wrk") else "python")

    runs: dict[str, list[dict]] = {name: [] for name in SERVERS}
    for _ in range(args.repeat):  # each round on fresh databases, as one run of the script
        for result in one_round(tool, args):
            runs[result["server"]].append(result)
    results = [median_run(runs[name]) for name in SERVERS]
    linli, floor, bare = results
    ratio_rps = round(linli["requests_per_s"] / bare["requests_per_s"], 3)
    ratio_p99 = round(linli["p99_ms"] / bare["p99_ms"], 2)
    floor_rps = round(floor["requests_per_s"] / bare["requests_per_s"], 3)
    over_floor = round(linli["requests_per_s"] / floor["requests_per_s"], 3)
    print(f"POST one-row insert, {args.connections} connections, {args.duration} s each, {tool}")
    header = (
        f"{'server':<8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'non-2xx':>8} {'sock err':>8} {'rows':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['server']:<8} {r['requests_per_s']:>8} {r['p50_ms']:>8} {r['p99_ms']:>8}"
            f" {r['non_2xx']:>8} {r['socket_errors']:>8} {r['rows_inserted']:>7}"
        )
    print(f"Linli/bare: {ratio_rps:.0%} of the bare throughput, p99 x{ratio_p99}")
    print(f"floor/bare: {floor_rps:.0%}; Linli/floor: {over_floor:.0%}")
    report = {
        "benchmark": "http_insert",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_tool": tool,
        "connections": args.connections,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "repeats": args.repeat,
        "server": "uvicorn, 1 worker each, 127.0.0.1",
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
        "ratio_rps_linli_over_bare": ratio_rps,
        "ratio_p99_linli_over_bare": ratio_p99,
        "ratio_rps_floor_over_bare": floor_rps,
        "ratio_rps_linli_over_floor": over_floor,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
