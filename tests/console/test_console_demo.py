"""``linli demo`` tells an operator where the console is and who signs in to it."""

from __future__ import annotations

import os
import subprocess
import sys


def _demo(tmp_path, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "linli.cli", "demo", "--no-serve"],
        cwd=tmp_path,
        env={**os.environ, "LINLI_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", **env},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_demo_prints_the_console_url_and_its_platform_operator(tmp_path):
    out = _demo(tmp_path, LINLI_PUBLIC_URL="https://linli.example.com/")
    (line,) = [x for x in out.splitlines() if "console:" in x]
    assert "https://linli.example.com/console" in line
    assert "Operator Zhou, 13900000001" in out
    again = _demo(tmp_path, LINLI_PLATFORM_OPERATORS="13911112222")
    assert "platform operators: 13911112222)" in again and "Operator Zhou, 139" not in again
