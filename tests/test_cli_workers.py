"""``linli serve --workers N``: several server processes share the port, on PostgreSQL only."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

from test_cli import LINLI, free_port, run


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def test_several_workers_need_postgresql(tmp_path: Path) -> None:
    done = run(
        ["serve", "--workers", "2"], tmp_path, LINLI_DATABASE_URL=f"sqlite:///{tmp_path}/a.db"
    )
    assert done.returncode == 2
    assert "--workers above 1 needs PostgreSQL" in done.stderr
    assert not (tmp_path / "a.db").exists()  # refused before anything was opened or migrated


def test_two_workers_share_the_port_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    _serve_two_and_ask(postgres_url, tmp_path, {})


def test_server_processes_slow_to_start_are_not_killed_for_it(
    postgres_url: str, tmp_path: Path
) -> None:
    """On a busy machine a server process takes seconds to import the app before it answers
    uvicorn's health check; it must not be killed and started again for ever meanwhile."""
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text("import time\ntime.sleep(7)\n")  # every process
    path = os.pathsep.join(filter(None, [str(slow), os.environ.get("PYTHONPATH")]))
    _serve_two_and_ask(postgres_url, tmp_path, {"PYTHONPATH": path})
    assert "died" not in (tmp_path / "serve.log").read_text()


def _serve_two_and_ask(postgres_url: str, tmp_path: Path, extra: dict[str, str]) -> None:
    """``linli serve --workers 2``: both processes up and 20 health checks answered."""
    port = free_port()
    env = {
        **os.environ,
        "LINLI_PORT": str(port),
        "LINLI_DATABASE_URL": postgres_url,
        "LINLI_DISPATCH_WORKER": "false",
        **extra,
    }
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*LINLI, "serve", "--workers", "2"], cwd=tmp_path, env=env, stdout=log, stderr=log
    )
    try:
        deadline, answers = time.monotonic() + 120, []
        while time.monotonic() < deadline and len(answers) < 20:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=5) as r:
                    answers.append(json.load(r))
            except OSError:
                time.sleep(0.3)
        assert answers and all(a == {"status": "ok"} for a in answers)
        assert len(_children(server.pid) - {server.pid}) >= 2  # the worker processes
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert "Started parent process" in (tmp_path / "serve.log").read_text()
