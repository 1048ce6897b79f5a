"""Fixtures for the bill payment kit tests: the module's tables on a fresh SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from linli_bill_payment import plugin as bill_payment
from linli_bill_payment.tables import BillAccountRow, BillPaymentRow
from linli_sdk.testing import PluginKit
from piccolo.engine.sqlite import SQLiteEngine

TABLES = (BillPaymentRow, BillAccountRow)


@pytest.fixture
async def bill_db(tmp_path: Path) -> AsyncIterator[SQLiteEngine]:
    """Bind the module's tables to a fresh SQLite database for one test."""
    previous = [table._meta._db for table in TABLES]
    engine = SQLiteEngine(path=str(tmp_path / "bill_payment.sqlite"))
    for table in TABLES:
        table._meta.db = engine
        await table.create_table(if_not_exists=True)
    try:
        yield engine
    finally:
        for table, db in zip(TABLES, previous, strict=True):
            table._meta._db = db


@pytest.fixture
def kit(bill_db: SQLiteEngine, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    """The bill payment module in the kit's default community, on the fresh database."""
    return linli_kit(bill_payment)
