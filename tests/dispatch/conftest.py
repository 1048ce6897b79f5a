"""Fixtures for the dispatch tests: the ``timer`` test plugin installed by entry point."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from linli.testing import write_distribution

PLUGINS = Path(__file__).parent / "plugins"


@pytest.fixture
def timer_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install the ``timer`` plugin; yields the site directory (for subprocesses' PYTHONPATH)."""
    site = tmp_path / "site-packages"
    write_distribution(site, "linli-dispatch-timer", "1.0.0", {"timer": "linli_dispatch_timer"})
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(PLUGINS))
    importlib.invalidate_caches()
    import linli_dispatch_timer

    linli_dispatch_timer.ATTEMPTS.clear()
    linli_dispatch_timer.HEARD.clear()
    linli_dispatch_timer.FAIL_EVENTS.clear()
    yield site
    for module in [m for m in sys.modules if m.startswith("linli_dispatch_timer")]:
        del sys.modules[module]
