"""Test housekeeping on the SDK's test kit alone: no platform, only a SQLite file.

Each test binds the module's tables to a fresh SQLite file, creates them, and puts back
whatever engine they had afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from linli_housekeeping.tables import BookingRow, ServiceRow, VoucherRow
from piccolo.engine.sqlite import SQLiteEngine

TABLES = (ServiceRow, BookingRow, VoucherRow)


def _bind(path: Path) -> Callable[[], None]:
    """Bind the module's tables to a SQLite file; returns what puts their engines back."""
    previous = [table._meta._db for table in TABLES]
    engine = SQLiteEngine(path=str(path))
    for table in TABLES:
        table._meta.db = engine

    def restore() -> None:
        for table, db in zip(TABLES, previous, strict=True):
            table._meta._db = db

    return restore


async def _create() -> None:
    for table in TABLES:
        await table.create_table(if_not_exists=True)


@pytest.fixture
async def housekeeping_db(tmp_path: Path) -> AsyncIterator[None]:
    """The module's tables on a fresh SQLite database, for one test."""
    restore = _bind(tmp_path / "housekeeping.sqlite")
    try:
        await _create()
        yield
    finally:
        restore()


@pytest.fixture(scope="module")
def money_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The module's tables on one SQLite database for a whole test module (Hypothesis runs
    each example in a community of its own, each in its own event loop)."""
    restore = _bind(tmp_path_factory.mktemp("housekeeping") / "housekeeping.sqlite")
    try:
        asyncio.run(_create())
        yield
    finally:
        restore()
