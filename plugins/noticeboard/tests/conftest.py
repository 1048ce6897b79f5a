"""Test the notice board on the SDK's test kit alone: no platform, only a SQLite file.

``linli_module_db`` binds the board's table to a fresh SQLite file per test and runs the
module's own migrations there; the table gets its engine back afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from linli_noticeboard import plugin as noticeboard
from linli_sdk.testing import ModuleDatabase, PluginKit
from piccolo.engine.sqlite import SQLiteEngine


@pytest.fixture
def notice_db(linli_module_db: Callable[[object], ModuleDatabase]) -> SQLiteEngine:
    """The notice board's table on a fresh SQLite database, migrated, for one test."""
    return linli_module_db(noticeboard).engine


@pytest.fixture
def kit(notice_db: SQLiteEngine, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    """The notice board in the kit's default community, on the fresh database."""
    return linli_kit(noticeboard)
