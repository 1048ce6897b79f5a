"""Shared test configuration for tests/: the fixture plugins, installed by entry point.

The platform and database fixtures (``start_platform``, ``database_url``, ``postgres_url``,
``any_database``…) come from the core's pytest plugin, :mod:`linli.testing.plugin`.
tests/ is not a package, so its directory is put on sys.path (pytest's default "prepend"
import mode does this too; this keeps --import-mode=importlib working).
"""

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from linli.testing import write_distribution
from uv_env import ROOT, uv_run

_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

FIXTURE_PLUGINS = Path(__file__).parent / "fixture_plugins"

ENTRY_POINTS = {
    "probe": "linli_fixture_probe",
    "future": "linli_fixture_future",
    "broken": "linli_fixture_broken",
    "typo": "linli_fixture_typo",
}


@pytest.fixture
def fixture_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install the test plugins (probe, future, broken, typo) as a distribution on ``sys.path``."""
    site = tmp_path / "site-packages"
    write_distribution(site, "linli-fixture-plugins", "1.0.0", ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(FIXTURE_PLUGINS))
    importlib.invalidate_caches()
    import linli_fixture_probe

    linli_fixture_probe.CALLS.clear()
    linli_fixture_probe.HOOKS.clear()
    linli_fixture_probe.SAID.clear()
    linli_fixture_probe.ERASURE_FAILS.clear()
    yield site
    for module in [m for m in sys.modules if m.startswith("linli_fixture_")]:
        del sys.modules[module]


@pytest.fixture(scope="session")
def sdk_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only linli-sdk (from this checkout) and what its kit
    tests need (Piccolo with SQLite, pytest-asyncio): what an outside module author has.
    One per session.

    Versions are pinned to this environment's, so the packages come from uv's cache.
    Returns the environment's ``python``.
    """
    from importlib.metadata import distributions

    where = tmp_path_factory.mktemp("sdk-venv")
    pins = sorted(
        {
            f"{d.metadata['Name']}=={d.version}"
            for d in distributions()
            if not d.metadata["Name"].startswith("linli")
        }
    )
    (where / "constraints.txt").write_text("\n".join(pins) + "\n")
    venv = where / ".venv"
    uv_run("venv", "--quiet", "--python", sys.executable, str(venv))
    python = venv / "bin" / "python"
    uv_run(
        "pip", "install", "--python", str(python), "--constraint", str(where / "constraints.txt"),
        f"{ROOT / 'sdk'}[testing]", "piccolo[sqlite]>=1.38,<2", "pytest-asyncio>=0.25",
    )  # fmt: skip
    return python
