"""Fixtures for the emergency supply kit tests: the module's tables on a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from linli_emergency_supply import plugin as emergency_supply
from linli_sdk.testing import ModuleDatabase
from piccolo.engine.sqlite import SQLiteEngine


@pytest.fixture
def supply_db(linli_module_db: Callable[[object], ModuleDatabase]) -> SQLiteEngine:
    """The module's tables on a fresh SQLite database, migrated, for one test."""
    return linli_module_db(emergency_supply).engine
