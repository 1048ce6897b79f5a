"""Fixtures for the group buying kit tests: the module's tables on a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from group_buying_kit_helpers import START, Community, community_of
from linli_group_buying import plugin as group_buying
from linli_sdk.testing import ModuleDatabase, PluginKit
from piccolo.engine.sqlite import SQLiteEngine


@pytest.fixture
def gb_db(linli_module_db: Callable[[object], ModuleDatabase]) -> SQLiteEngine:
    """The module's tables on a fresh SQLite file, migrated, for one test."""
    return linli_module_db(group_buying).engine


@pytest.fixture
def gb(gb_db: SQLiteEngine, linli_kit: Callable[..., PluginKit]) -> Community:
    """The group buying module in the kit, with its people, on a fresh database."""
    return community_of(linli_kit(group_buying, now=START))
