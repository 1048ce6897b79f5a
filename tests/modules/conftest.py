"""Fixtures for the module host tests: the ``notes`` test plugin installed by entry point."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from linli.testing import write_distribution

PLUGINS = Path(__file__).parent / "plugins"


@pytest.fixture
def notes_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Install the ``notes`` plugin for one test."""
    site = tmp_path / "site-packages"
    write_distribution(site, "linli-modules-notes", "1.0.0", {"notes": "linli_modules_notes"})
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(PLUGINS))
    importlib.invalidate_caches()
    import linli_modules_notes

    linli_modules_notes.HEARD.clear()
    linli_modules_notes.REMINDED.clear()
    yield
    for module in [m for m in sys.modules if m.startswith("linli_modules_notes")]:
        del sys.modules[module]
