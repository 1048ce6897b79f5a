"""Kill worker processes while deadlines are due: after a restart each ran exactly once.

The workers are real subprocesses (``python -m linli.cli dispatch work``) killed with SIGKILL
while a deadline's hook is running. Each deadline publishes ``timer.fired`` in its own
transaction, so the outbox counts how many runs committed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from linli.dispatch.tables import OutboxEvent, ScheduledDeadline
from test_dispatch_deadlines import call, enable

PLUGINS = Path(__file__).parent / "plugins"


def start_worker(database_url: str, site: Path, trace: Path) -> subprocess.Popen[bytes]:
    """A worker process on ``database_url`` with the timer plugin installed."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(PLUGINS)]),
        "LINLI_DATABASE_URL": database_url,
        "LINLI_DISPATCH_POLL_SECONDS": "0.05",
        "TIMER_TRACE": str(trace),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "linli.cli", "dispatch", "work"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def started(trace: Path) -> list[tuple[int, str]]:
    """(pid, key) for every run a worker began, in order."""
    if not trace.exists():
        return []
    lines = trace.read_text().splitlines()
    return [(int(pid), key) for pid, key in (line.split() for line in lines if line.strip())]


async def fired_counts() -> Counter[str]:
    rows = (
        await OutboxEvent.select(OutboxEvent.payload)
        .output(load_json=True)
        .where(OutboxEvent.type == "timer.fired")
    )
    return Counter(row["payload"]["key"] for row in rows)


async def wait_for(condition: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


async def kill_mid_run(victim: subprocess.Popen[bytes], trace: Path) -> str:
    """SIGKILL ``victim`` right after it began a deadline it has not committed; return its key."""

    async def running_one() -> bool:
        mine = [key for pid, key in started(trace) if pid == victim.pid]
        return bool(mine) and mine[-1] not in await fired_counts()

    await wait_for(running_one)
    kill(victim)
    return [key for pid, key in started(trace) if pid == victim.pid][-1]


async def run_kill_scenario(
    running: Any, database_url: str, site: Path, tmp_path: Path, workers: int, count: int
) -> None:
    await enable(running)
    keys = [f"d{n:02d}" for n in range(count)]
    armed = await call(running, "arm", {"keys": keys, "in_seconds": -1, "sleep": 0.25})
    assert armed.status_code == 200, armed.text
    trace = tmp_path / "trace.txt"
    processes = [start_worker(database_url, site, trace) for _ in range(workers)]
    try:
        interrupted = await kill_mid_run(processes[0], trace)
        assert sum((await fired_counts()).values()) < count  # deadlines were still due
        processes[0] = start_worker(database_url, site, trace)  # the restart

        async def all_fired() -> bool:
            return len(await fired_counts()) == count

        await wait_for(all_fired)
    finally:
        for process in processes:
            if process.poll() is None:
                kill(process)
    counts = await fired_counts()
    assert counts == Counter(dict.fromkeys(keys, 1))  # each ran exactly once
    runs = Counter(key for _, key in started(trace))
    assert runs[interrupted] >= 2  # the killed run was begun again, and committed once
    statuses = await ScheduledDeadline.select(ScheduledDeadline.status, ScheduledDeadline.key)
    assert {row["status"] for row in statuses} == {"done"}
    if workers > 1:
        pids = {pid for pid, _ in started(trace)}
        assert len(pids) >= workers  # the work was shared by several processes


@pytest.mark.slow
async def test_sqlite_worker_killed_mid_deadline_runs_each_once_after_restart(
    start_platform, database_url, timer_plugin, tmp_path
):
    async with start_platform() as running:
        await run_kill_scenario(running, database_url, timer_plugin, tmp_path, workers=1, count=6)


@pytest.mark.slow
async def test_postgres_two_workers_one_killed_each_deadline_runs_once(
    start_platform, postgres_url, timer_plugin, tmp_path
):
    async with start_platform(database_url=postgres_url) as running:
        await run_kill_scenario(running, postgres_url, timer_plugin, tmp_path, workers=2, count=20)
