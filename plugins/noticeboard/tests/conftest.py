"""Test the notice board on the SDK's test kit alone: no platform, only a SQLite file.

The plugin's table needs a database; each test binds ``NoticeRow`` to a fresh SQLite file and
creates the table, and puts back whatever engine it had afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from linli_noticeboard import plugin as noticeboard
from linli_noticeboard.tables import NoticeRow
from linli_sdk.testing import PluginKit
from piccolo.engine.sqlite import SQLiteEngine


@pytest.fixture
async def notice_db(tmp_path: Path) -> AsyncIterator[SQLiteEngine]:
    """Bind the notice board's table to a fresh SQLite database for one test."""
    meta = NoticeRow._meta
    previous = meta._db
    engine = SQLiteEngine(path=str(tmp_path / "noticeboard.sqlite"))
    meta.db = engine
    try:
        await NoticeRow.create_table(if_not_exists=True)
        yield engine
    finally:
        meta._db = previous


@pytest.fixture
def kit(notice_db: SQLiteEngine, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    """The notice board in the kit's default community, on the fresh database."""
    return linli_kit(noticeboard)
