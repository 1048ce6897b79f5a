"""``linli communities`` and ``linli network`` as an operator types them."""

from __future__ import annotations

import os
import subprocess
import sys


def test_communities_are_created_renamed_moved_and_archived_from_the_command_line(tmp_path):
    env = {**os.environ, "LINLI_DATABASE_URL": f"sqlite:///{tmp_path}/linli.db"}

    def linli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "linli.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert linli("migrate").returncode == 0
    made = linli("communities", "create", "river-view", "河景苑")
    assert made.stdout == "river-view\t河景苑\tAsia/Shanghai\tCNY\n", made.stderr
    wrong = linli("communities", "create", "mars", "Mars", "--timezone", "Mars/Base")
    assert wrong.returncode == 1
    assert "Error: 'Mars/Base' is not an IANA time zone name" in wrong.stderr
    assert linli("communities", "rename", "river-view", "River View").returncode == 0
    moved = linli("communities", "set-timezone", "river-view", "Asia/Urumqi")
    assert moved.stdout == "river-view\tRiver View\tAsia/Urumqi\tCNY\n", moved.stderr
    point = linli("network", "add-point", "river-view", "Gate 2")
    assert point.stdout.startswith("pickup point 1\tGate 2\tgrid: -"), point.stderr
    assert "archived" in linli("communities", "archive", "river-view").stdout
    assert linli("communities", "list").stdout == ""
    assert linli("communities", "list", "--archived").stdout.startswith("river-view\tRiver View")
