"""Test gov services on the SDK's test kit alone: no platform, only a SQLite file.

The module's tables are bound to a fresh SQLite file and migrated by its own migrations
(``linli_module_db``, or :func:`~linli_sdk.testing.module_database` for a whole test module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from linli_gov_services import plugin as gov_services
from linli_sdk.testing import ModuleDatabase, module_database


@pytest.fixture
def gov_db(linli_module_db: Callable[[object], ModuleDatabase]) -> None:
    """The module's tables on a fresh SQLite database, for one test."""
    linli_module_db(gov_services)


@pytest.fixture(scope="module")
def subsidy_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The module's tables on one SQLite database for a whole test module (Hypothesis runs
    each example in a community of its own, each in its own event loop)."""
    with module_database(gov_services, tmp_path_factory.mktemp("gov") / "gov_services.sqlite"):
        yield
