"""Fixtures for the identity tests: the ``scope_probe`` test plugin installed by entry point."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from linli.testing import write_distribution

PLUGINS = Path(__file__).parent / "plugins"


@pytest.fixture
def scope_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install ``scope_probe`` (declares every member scope); yields the site directory."""
    site = tmp_path / "site-packages"
    write_distribution(
        site, "linli-identity-scope-probe", "1.0.0", {"scope_probe": "linli_identity_scope_probe"}
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(PLUGINS))
    importlib.invalidate_caches()
    yield site
    sys.modules.pop("linli_identity_scope_probe", None)
