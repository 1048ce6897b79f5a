"""Fixtures for the group buying kit tests: the campaign tables on a fresh SQLite file.

The live flash-sale tests bind their own tables in their own module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from group_buying_kit_helpers import START, Community, campaign_tables, community_of, create_tables
from linli_group_buying import plugin as group_buying
from linli_sdk.testing import PluginKit
from piccolo.engine.sqlite import SQLiteEngine


@pytest.fixture
async def gb_db(tmp_path: Path) -> AsyncIterator[SQLiteEngine]:
    """The campaign tables on a fresh SQLite file for one test."""
    with campaign_tables(tmp_path / "group_buying.sqlite") as engine:
        await create_tables()
        yield engine


@pytest.fixture
def gb(gb_db: SQLiteEngine, linli_kit: Callable[..., PluginKit]) -> Community:
    """The group buying module in the kit, with its people, on a fresh database."""
    return community_of(linli_kit(group_buying, now=START))
