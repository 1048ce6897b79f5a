"""Fixtures for the bill payment kit tests: the module's tables on a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from linli_bill_payment import plugin as bill_payment
from linli_sdk.testing import ModuleDatabase, PluginKit
from piccolo.engine.sqlite import SQLiteEngine


@pytest.fixture
def bill_db(linli_module_db: Callable[[object], ModuleDatabase]) -> SQLiteEngine:
    """The module's tables on a fresh SQLite database, migrated, for one test."""
    return linli_module_db(bill_payment).engine


@pytest.fixture
def kit(bill_db: SQLiteEngine, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    """The bill payment module in the kit's default community, on the fresh database."""
    return linli_kit(bill_payment)
