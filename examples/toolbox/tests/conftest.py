"""Test the module on the SDK's test kit alone: no platform, only a SQLite file per test.

The module's table needs a database: each test binds ``LoanRow`` to a fresh SQLite file,
creates the table, and puts back whatever engine it had afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from linli_sdk.testing import PluginKit
from piccolo.engine.sqlite import SQLiteEngine

from linli_toolbox import plugin
from linli_toolbox.tables import LoanRow


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[SQLiteEngine]:
    """Bind the module's table to a fresh SQLite database for one test."""
    meta = LoanRow._meta
    previous = meta._db
    engine = SQLiteEngine(path=str(tmp_path / "toolbox.sqlite"))
    meta.db = engine
    try:
        await LoanRow.create_table(if_not_exists=True)
        yield engine
    finally:
        meta._db = previous


@pytest.fixture
def kit(database: SQLiteEngine, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    """The module in the kit's default community, on the fresh database."""
    return linli_kit(plugin)
