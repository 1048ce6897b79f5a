"""Test housekeeping on the SDK's test kit alone: no platform, only a SQLite file.

Each test gets the module's tables on a fresh SQLite file, migrated by its own migrations
(``linli_module_db``); the tables get their engines back afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from linli_housekeeping import plugin as housekeeping
from linli_sdk.testing import ModuleDatabase, module_database


@pytest.fixture
def housekeeping_db(linli_module_db: Callable[[object], ModuleDatabase]) -> None:
    """The module's tables on a fresh SQLite database, for one test."""
    linli_module_db(housekeeping)


@pytest.fixture(scope="module")
def money_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The module's tables on one SQLite database for a whole test module (Hypothesis runs
    each example in a community of its own, each in its own event loop)."""
    path = tmp_path_factory.mktemp("housekeeping") / "housekeeping.sqlite"
    with module_database(housekeeping, path):
        yield
