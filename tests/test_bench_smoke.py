"""Every benchmark in bench/ runs end to end at a tiny size, so none of them rots.

Each script runs as a subprocess, as a developer would run it, with tiny arguments and its
results written to a temporary file (never over the committed bench/results/). No figure is
judged: a script passes when it exits 0 and writes its JSON report. The PostgreSQL variants
run on the test PostgreSQL server, where there is one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[1] / "bench"

SCRIPTS: dict[str, list[str]] = {
    "http_insert": ["--duration", "1", "--warmup", "0", "--connections", "2", "--load", "python"],
    "flash_sale": ["--requests", "12", "--levels", "3", "--db", "sqlite"],
    "identity_auth": ["--calls", "10", "--tokens", "2"],
    "settlement": ["--orders", "40", "--batch", "10"],
    "credit": ["--members", "30", "--events", "300"],
    "dispatch_matching": ["--jobs", "40", "--workers", "15", "--capacity", "2"],
    "sqlite_writes": ["--inserts", "40", "--clients", "4"],
    "cpu_per_call": [
        *("--calls", "20", "--warmup", "2", "--clients", "2"),
        *("--what", "buy", "insert", "bare-buy"),
    ],
    "forecast": ["--items", "2", "--points", "1", "--days", "42", "--holdout-weeks", "1"],
    "reminders": ["--households", "40", "--days", "90"],
}
"""Each script's tiny arguments (its --out is added), the slowest first."""

PARALLEL = 2


def test_every_benchmark_has_a_smoke_run() -> None:
    assert {p.stem for p in BENCH.glob("*.py") if not p.stem.startswith("_")} == set(SCRIPTS)


def _run_all(runs: dict[str, list[str]], tmp_path: Path) -> dict[str, dict[str, Any]]:
    """Run the scripts, two at a time (much of their time is spent starting Python and their
    servers, waiting); each one's JSON report, after checking every one exited 0."""
    pending, running, failed, reports = list(runs.items()), [], [], {}

    def start(name: str, args: list[str]) -> None:
        script, slug = name.split(":")[0], name.replace(":", "-")
        out, log = tmp_path / f"{slug}.json", (tmp_path / f"{slug}.log").open("w")
        command = [sys.executable, str(BENCH / f"{script}.py"), *args, "--out", str(out)]
        process = subprocess.Popen(command, cwd=BENCH.parent, stdout=log, stderr=subprocess.STDOUT)
        running.append((name, process, out, log))

    while pending or running:
        while pending and len(running) < PARALLEL:
            start(*pending.pop(0))
        name, process, out, log = running.pop(0)
        try:
            code = process.wait(timeout=240)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        log.close()
        if code != 0 or not out.exists():
            failed.append(f"{name} exited {code}:\n{Path(log.name).read_text()[-3000:]}")
        else:
            reports[name] = json.loads(out.read_text())
    assert not failed, "\n\n".join(failed)
    return reports


def test_every_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    committed = {p: p.stat().st_mtime_ns for p in (BENCH / "results").glob("*.json")}
    reports = _run_all(SCRIPTS, tmp_path)
    assert all(reports.values())  # each wrote its figures where it was asked to
    assert committed == {p: p.stat().st_mtime_ns for p in (BENCH / "results").glob("*.json")}
    inserts = reports["http_insert"]["results"]
    assert [result["server"] for result in inserts] == ["linli", "floor", "bare"]
    assert all(r["non_2xx"] == 0 and r["rows_inserted"] >= r["requests"] > 0 for r in inserts)
    (run,) = reports["flash_sale"]["runs"]
    assert run["linli"]["ok"] == 12 and run["linli"]["oversold"] == 0
    assert run["floor"]["ok"] == run["bare"]["ok"] == 12
    cpu = reports["cpu_per_call"]
    assert {run["what"] for run in cpu["runs"]} == {"buy", "insert", "bare-buy"}
    assert all(ms >= 0 for ms in cpu["median_cpu_ms_per_call"].values())


def test_the_postgresql_benchmarks_run_at_a_tiny_size(postgres_server, tmp_path: Path) -> None:
    url = postgres_server.new_database
    runs = {
        "settlement:pg": ["--orders", "40", "--batch", "10", "--database-url", url("bench_s")],
        "credit:pg": ["--members", "30", "--events", "300", "--database-url", url("bench_c")],
        "flash_sale:pg": [
            *("--requests", "12", "--levels", "3", "--db", "postgres"),
            *("--postgres-url", url("bench_f")),
        ],
        # its own throwaway cluster, with pg_stat_statements preloaded
        "flash_sale:pg_statements": [
            *("--requests", "12", "--levels", "3", "--db", "postgres", "--statements"),
        ],
        # its own throwaway cluster: the database's CPU is read from its processes, in clock
        # ticks of 10 ms summed over its backends, so enough calls that it cannot round to 0
        "cpu_per_call:pg": [
            *("--calls", "80", "--warmup", "2", "--clients", "2", "--what", "buy"),
            *("--db", "postgres"),
        ],
    }
    reports = _run_all(runs, tmp_path)
    (run,) = reports["flash_sale:pg"]["runs"]
    assert run["database"] == "postgres" and run["linli"]["oversold"] == 0
    assert run["floor"]["ok"] == 12
    (timed,) = reports["flash_sale:pg_statements"]["runs"]
    for side, update in (("linli", "UPDATE group_buying_live_item"), ("bare", "UPDATE bench_")):
        taken = [s for s in timed[side]["statements"] if s["query"].startswith(update)]
        assert [s["calls"] for s in taken] == [12]  # the stock taken once per buy, and timed
    (cpu,) = reports["cpu_per_call:pg"]["runs"]
    assert cpu["database"] == "postgres" and cpu["database_cpu_ms_per_call"] > 0
