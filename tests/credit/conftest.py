"""Fixtures for the credit tests: the ``probe_credit`` plugin installed by entry point."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from linli.testing import write_distribution

PLUGINS = Path(__file__).parent / "plugins"


@pytest.fixture
def credit_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install the ``probe_credit`` plugin as a distribution on ``sys.path``."""
    site = tmp_path / "site-packages"
    write_distribution(site, "linli-credit-probe", "1.0.0", {"probe_credit": "linli_credit_probe"})
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(PLUGINS))
    importlib.invalidate_caches()
    yield site
    for module in [m for m in sys.modules if m.startswith("linli_credit_probe")]:
        del sys.modules[module]


@pytest.fixture(params=["sqlite", "postgres"])
def credit_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database URL to run on: a fresh SQLite file, then PostgreSQL."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'credit.db'}"
