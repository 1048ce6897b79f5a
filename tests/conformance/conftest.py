"""The conformance suite's sides: each scenario runs once on the kit, once on the platform.

The module under test (``conformance_module``) lives beside this file; the platform side
installs it by entry point, the kit side runs its shipped migrations on a temporary SQLite
file (``linli_module_db``). Both must answer every scenario alike.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from conformance_sides import KitSide, PlatformSide, Side
from linli.testing import write_distribution
from linli_sdk.testing import ModuleDatabase, PluginKit

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture(
    params=[
        "kit",
        "platform",
        pytest.param("platform-postgresql", marks=[pytest.mark.slow, pytest.mark.postgres]),
    ]
)
async def side(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    linli_kit: Callable[..., PluginKit],
    linli_module_db: Callable[[object], ModuleDatabase],
    start_platform: Callable[..., Any],
) -> AsyncIterator[Side]:
    """The conformance module on the kit, then on the platform (enabled in ``home``).

    The platform runs on a fresh SQLite file, then (marked ``slow``) on a fresh PostgreSQL
    database.
    """
    from conformance_module import plugin

    if request.param == "kit":
        linli_module_db(plugin)
        yield KitSide(linli_kit(plugin))
        return
    site = tmp_path / "site-packages"
    write_distribution(
        site, "linli-conformance", "1.0.0", {"conformance": "conformance_module.plugin"}
    )
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    database = (
        request.getfixturevalue("postgres_url")
        if request.param == "platform-postgresql"
        else request.getfixturevalue("database_url")
    )
    async with start_platform(
        database_url=database, modules=["conformance"], plugins_allow=["conformance"]
    ) as running:
        yield PlatformSide(running)
