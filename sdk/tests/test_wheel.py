"""The published SDK on its own: its wheel, in a fresh virtual environment, runs the kit.

Builds ``linli-sdk``'s wheel with ``uv build``, installs it with its declared dependencies (and
its ``testing`` extra) into a new virtual environment that has nothing of the workspace, then
runs the README's minimal module's tests there with pytest. Dependencies come from uv's cache
when it has them (``--offline``), else from the package index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import linli_sdk
import pytest

pytestmark = pytest.mark.slow

SDK_ROOT = Path(__file__).resolve().parents[1]
FILE_BLOCK = re.compile(r"^```\w+\n# (\S+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
UV = shutil.which("uv")


def run(*args: str | Path, cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def uv_offline_first(*args: str | Path) -> None:
    """Run a uv command (in the SDK's directory) from the cache alone if it can, else online."""
    try:
        run(UV or "uv", *args, "--offline", cwd=SDK_ROOT)
    except AssertionError:
        run(UV or "uv", *args, cwd=SDK_ROOT)


def readme_files() -> dict[str, str]:
    """The README's code blocks that name their file on their first line: the minimal module."""
    text = (SDK_ROOT / "README.md").read_text(encoding="utf-8")
    return {name: body for name, body in FILE_BLOCK.findall(text)}


def test_the_readme_shows_a_module_its_package_and_its_tests() -> None:
    assert set(readme_files()) == {"linli_wave.py", "pyproject.toml", "test_wave.py"}


@pytest.mark.skipif(UV is None, reason="uv is not on PATH")
def test_a_fresh_environment_with_only_the_wheel_runs_the_kit(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    uv_offline_first("build", "--package", "linli-sdk", "--wheel", "--out-dir", dist)
    (wheel,) = dist.glob("*.whl")
    assert wheel.name == f"linli_sdk-{linli_sdk.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"linli_sdk-{linli_sdk.__version__}.dist-info/METADATA").decode()
    assert {"linli_sdk/py.typed", "linli_sdk/testing.py", "linli_sdk/_kit/host.py"} <= names
    assert "# linli-sdk" in metadata  # the README is the package's description on the index
    assert not any(n.startswith(("linli/", "linli_noticeboard/")) for n in names)

    venv = tmp_path / "venv"
    run(UV or "uv", "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    uv_offline_first(
        "pip", "install", "--quiet", "--python", python, f"linli-sdk[testing] @ {wheel.as_uri()}"
    )

    installed = run(UV or "uv", "pip", "freeze", "--python", python).lower()
    for absent in ("linli==", "linli-noticeboard", "piccolo", "litestar"):
        assert absent not in installed, f"{absent} came with the SDK's wheel:\n{installed}"
    assert run(python, "-c", "import linli_sdk; print(linli_sdk.__version__)").strip() == (
        linli_sdk.__version__
    )

    module = tmp_path / "linli-wave"
    module.mkdir()
    for name, body in readme_files().items():
        (module / name).write_text(body, encoding="utf-8")
    output = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=module)
    assert "2 passed" in output, output
