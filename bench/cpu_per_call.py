"""Server CPU per call: the live flash-sale buy and the notice-board insert over HTTP.

Rates on a machine shared with other work move with everyone else's load; the CPU time the
server process spends per request moves far less. For each call this script seeds a fresh
database (a leader, one resident per buy, group buying and the notice board enabled): a SQLite
file, or with ``--db postgres`` a database on a throwaway PostgreSQL cluster (linli.testing),
starts the platform under uvicorn (or Granian) as a subprocess, sends ``--warmup`` unmeasured
calls, then reads ``utime + stime`` of the server's processes from ``/proc`` before and after
``--calls`` calls from ``--clients`` keep-alive connections, and divides. It prints and writes
milliseconds of server CPU per call, with the rate and p50/p99 for reference (``bare-buy``:
the flash sale's bare conditional ``UPDATE`` endpoint, what a buy is compared with); on PostgreSQL
also the database's CPU per call (the postmaster and every backend), since on one machine the
two share the cores, and each call's round trips cost on both sides.

    uv run python bench/cpu_per_call.py [--calls 1000] [--clients 64] [--warmup 100]
                                        [--what buy insert bare-buy]
                                        [--server uvicorn|granian]
                                        [--db sqlite|postgres] [--repeat 1] [--out FILE]

To compare two trees, run the same script with each tree's interpreter, alternating, e.g.
``/other/tree/.venv/bin/python bench/cpu_per_call.py --out /tmp/a.json`` then
``uv run python bench/cpu_per_call.py --out /tmp/b.json``, three times each, and compare the
medians. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from _flash import (
    BUY_PATH,
    buy_requests,
    load,
    put_on_item,
    reset_stock,
    seed,
    server_process,
)
from http_insert import BODY, LINLI_PATH

BENCH = Path(__file__).parent
RESULTS = BENCH / "results"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(root: int) -> float:
    """User + system CPU seconds of process ``root`` and every live descendant of it."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier += children
    return sum(times.get(pid, 0.0) for pid in tree)


Requests = list[tuple[dict[str, str], dict[str, Any]]]


async def buy_calls(base: str, leader: str, buyers: list[str]) -> tuple[str, Requests]:
    """One live item with a unit for every buyer; each buyer's buy of one unit."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        _, item_id = await put_on_item(client, leader, len(buyers))
    return BUY_PATH, buy_requests(item_id, buyers)


async def insert_calls(base: str, leader: str, buyers: list[str]) -> tuple[str, Requests]:
    """As many notices posted by the leader as there are buyers."""
    headers = {"Authorization": f"Bearer {leader}"}
    return LINLI_PATH, [(headers, json.loads(BODY))] * len(buyers)


async def bare_buy_calls(base: str, leader: str, buyers: list[str]) -> tuple[str, Requests]:
    """As many takes of one unit from the bare endpoint (``_flash.bare_app``) as buyers."""
    return "/buy", [({}, {})] * len(buyers)


CALLS: dict[str, Callable[[str, str, list[str]], Any]] = {
    "buy": buy_calls,
    "insert": insert_calls,
    "bare-buy": bare_buy_calls,
}
"""Each kind of call: the platform's live buy and notice post, and the flash sale's bare
conditional ``UPDATE`` (what the platform's buy is compared with)."""


def measure(
    what: str, args: argparse.Namespace, scratch: Path, cluster: Any = None
) -> dict[str, Any]:
    """Seed, serve, warm up, and measure one kind of call once (on ``cluster`` if given)."""
    total = args.warmup + args.calls
    if cluster is None:
        database_url = f"sqlite:///{scratch / f'{what}.db'}"
    else:
        database_url = cluster.new_database(f"cpu_{what}")
    leader, tokens = asyncio.run(seed(database_url, total, ("group_buying", "noticeboard")))
    env = {
        "LINLI_DATABASE_URL": database_url,
        "LINLI_DISPATCH_WORKER": "false",
        "LINLI_PLUGINS_ALLOW": "group_buying,noticeboard",
        "BENCH_DATABASE_URL": database_url,
    }
    log = scratch / f"{what}.log"
    bare = what == "bare-buy"
    with server_process("bare_app" if bare else "platform_app", env, log, 1, args.server) as (
        server,
        base,
    ):
        if bare:  # once it is up: the readiness probe takes a unit too
            asyncio.run(reset_stock(database_url, total))
        path, requests = asyncio.run(CALLS[what](base, leader, tokens))
        warm = asyncio.run(load(base, args.clients, requests[: args.warmup], path))
        database = postmaster_pid(cluster)
        before = cpu_seconds(server.pid), cpu_seconds(database) if database else 0.0
        figures = asyncio.run(load(base, args.clients, requests[args.warmup :], path))
        spent = cpu_seconds(server.pid) - before[0]
        database_spent = (cpu_seconds(database) - before[1]) if database else None
    if figures["ok"] != args.calls or warm["ok"] != args.warmup:
        raise RuntimeError(f"{what}: not every call answered 200: {warm} {figures}")
    return {
        "what": what,
        "server": args.server,
        "calls": args.calls,
        "clients": args.clients,
        "database": "postgres" if cluster is not None else "sqlite",
        "cpu_ms_per_call": round(spent * 1000 / args.calls, 3),
        "database_cpu_ms_per_call": (
            None if database_spent is None else round(database_spent * 1000 / args.calls, 3)
        ),
        "per_s": figures["per_s"],
        "p50_ms": figures["p50_ms"],
        "p99_ms": figures["p99_ms"],
    }


def postmaster_pid(cluster: Any) -> int | None:
    """The process id of a throwaway cluster's postmaster (its backends are its children)."""
    if cluster is None:
        return None
    return int((cluster.directory / "data" / "postmaster.pid").read_text().split()[0])


@contextmanager
def database_cluster(kind: str) -> Iterator[Any]:
    """``None`` for SQLite; a running throwaway PostgreSQL cluster for ``postgres``."""
    if kind == "sqlite":
        yield None
        return
    from linli.testing.postgres import temporary_postgres

    with temporary_postgres() as cluster:
        yield cluster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=1000, help="measured calls per run (1000)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent connections (64)")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured calls first (100)")
    parser.add_argument("--what", nargs="+", choices=sorted(CALLS), default=["buy", "insert"])
    parser.add_argument("--server", choices=["uvicorn", "granian"], default="uvicorn")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each call (1)")
    parser.add_argument("--out", type=Path, default=RESULTS / "cpu_per_call.json")
    args = parser.parse_args()
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="linli-cpu-") as tmp, database_cluster(args.db) as db:
        for n in range(args.repeat):
            for what in args.what:
                scratch = Path(tmp, f"{what}-{n}")
                scratch.mkdir()
                runs.append(measure(what, args, scratch, db))
                print(json.dumps(runs[-1]), flush=True)
    medians = {
        what: statistics.median(r["cpu_ms_per_call"] for r in runs if r["what"] == what)
        for what in args.what
    }
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "median_cpu_ms_per_call": medians,
        "runs": runs,
    }
    for what, value in medians.items():
        print(f"{what:<7} server CPU per call (median of {args.repeat}): {value} ms")
        if args.db == "postgres":
            spent = [r["database_cpu_ms_per_call"] for r in runs if r["what"] == what]
            print(f"{what:<7} database CPU per call (median): {statistics.median(spent)} ms")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
