"""The checkout's root and running ``uv`` from tests (fresh environments for outside authors)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def uv_run(*args: str, cwd: Path | None = None) -> str:
    """Run ``uv ARGS`` and return its output: offline first (from the cache ``uv sync`` filled),
    then, if the cache lacks something, once more with the package index."""
    import os
    import shutil
    import subprocess

    uv = shutil.which("uv")
    assert uv is not None, "these tests need uv on PATH"
    env = {**os.environ, "UV_LINK_MODE": "copy", "UV_NO_PROGRESS": "1"}
    env.pop("VIRTUAL_ENV", None)
    for offline in ("1", "0"):
        done = subprocess.run(
            [uv, *args],
            cwd=cwd,
            env={**env, "UV_OFFLINE": offline},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode == 0:
            break
    assert done.returncode == 0, f"uv {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr
