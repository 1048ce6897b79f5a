"""Progress bars on long CLI jobs: drawn on a terminal, absent when the output is piped.

``linli migrate`` runs once under a pseudo-terminal (as an operator at a shell sees it) and
once with its output captured (as cron or CI does).
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import time
from pathlib import Path

from test_cli import LINLI, run


def _under_a_terminal(args: list[str], cwd: Path, **env: str) -> tuple[int, str]:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*LINLI, *args],
        cwd=cwd,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", **env},
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return process.wait(timeout=30), seen.decode(errors="replace")


def test_migrate_draws_a_bar_on_a_terminal_and_none_when_piped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/tty.db"
    status, screen = _under_a_terminal(["migrate"], tmp_path, LINLI_DATABASE_URL=url)
    assert status == 0, screen
    finished = re.findall(r"migrating.*?(\d+)/(\d+)", screen)
    assert finished, screen
    assert finished[-1][0] == finished[-1][1]  # every app's migrations ran

    piped = run(["migrate"], tmp_path, LINLI_DATABASE_URL=f"sqlite:///{tmp_path}/piped.db")
    assert piped.returncode == 0, piped.stderr
    assert "migrating" not in piped.stderr + piped.stdout
    assert "\x1b[" not in piped.stderr  # no terminal control sequences in a log
