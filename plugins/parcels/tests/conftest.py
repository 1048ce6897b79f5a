"""Test parcels on the SDK's test kit alone: no platform, only a SQLite file.

The module's tables are bound to a fresh SQLite file and migrated by its own migrations
(``linli_module_db``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from linli_parcels import plugin as parcels
from linli_sdk.testing import ModuleDatabase


@pytest.fixture
def parcels_db(linli_module_db: Callable[[object], ModuleDatabase]) -> None:
    """The module's tables on a fresh SQLite database, for one test."""
    linli_module_db(parcels)
