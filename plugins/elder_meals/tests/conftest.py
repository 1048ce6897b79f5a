"""Test elderly meals on the SDK's test kit alone: no platform, only a SQLite file.

Each test gets the module's tables on a fresh SQLite file, migrated by its own migrations
(``linli_module_db``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from linli_elder_meals import plugin as elder_meals
from linli_sdk.testing import ModuleDatabase, module_database


@pytest.fixture
def elder_meals_db(linli_module_db: Callable[[object], ModuleDatabase]) -> None:
    """The module's tables on a fresh SQLite database, for one test."""
    linli_module_db(elder_meals)


@pytest.fixture(scope="module")
def money_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The module's tables on one SQLite database for a whole test module (Hypothesis runs
    each example in a community of its own, each in its own event loop)."""
    path = tmp_path_factory.mktemp("elder_meals") / "elder_meals.sqlite"
    with module_database(elder_meals, path):
        yield
