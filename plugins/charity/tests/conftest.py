"""Fixtures for the charity kit tests: the module's tables on a fresh SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from linli_charity.tables import CampaignRow, FundEntryRow, FundRow, PurchaseRow
from piccolo.engine.sqlite import SQLiteEngine

TABLES = (FundRow, CampaignRow, PurchaseRow, FundEntryRow)


@pytest.fixture
async def charity_db(tmp_path: Path) -> AsyncIterator[SQLiteEngine]:
    """Bind the module's tables to a fresh SQLite database for one test."""
    previous = [table._meta._db for table in TABLES]
    engine = SQLiteEngine(path=str(tmp_path / "charity.sqlite"))
    for table in TABLES:
        table._meta.db = engine
        await table.create_table(if_not_exists=True)
    try:
        yield engine
    finally:
        for table, db in zip(TABLES, previous, strict=True):
            table._meta._db = db
