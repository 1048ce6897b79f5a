"""``linli emergency`` as the platform operator types it."""

from __future__ import annotations

import os
import subprocess
import sys


def test_an_emergency_is_declared_listed_and_ended_from_the_command_line(tmp_path):
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
    for slug in ("east", "west"):
        assert linli("communities", "create", slug, slug.title()).returncode == 0
    declared = linli(
        "emergency", "declare", "--community", "east", "--community", "west",
        "--kind", "epidemic", "--starts", "2026-01-01T00:00:00", "--reference", "covid",
    )  # fmt: skip
    assert declared.stdout.splitlines() == [
        "covid\teast\tepidemic\t2026-01-01T00:00Z\t-\tin force",
        "covid\twest\tepidemic\t2026-01-01T00:00Z\t-\tin force",
    ], declared.stderr
    wrong = linli("emergency", "declare", "--community", "north", "--kind", "flood")
    assert wrong.returncode == 1 and "north" in wrong.stderr
    ended = linli("emergency", "end", "covid")
    assert [line.split("\t")[-1] for line in ended.stdout.splitlines()] == ["ended", "ended"]
    listed = linli("emergency", "list", "west")
    assert listed.stdout.startswith("covid\twest\tepidemic\t2026-01-01T00:00Z\t2"), listed.stderr
    assert listed.stdout.rstrip().endswith("\tended")
