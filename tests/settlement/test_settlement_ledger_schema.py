"""Ledger entries carry only the foreign key and indexes their integrity and queries need.

A live charge appends a dozen entries; every index and foreign-key check is paid per line. The
transaction reference is the one foreign key (a line belongs to an existing transaction);
``(community, account, currency)`` and ``txn`` are the only indexes beside the primary key.
"""

from __future__ import annotations

from linli.db.raw import fetch

TABLE = "linli_settlement_ledger_entry"

SQLITE_FOREIGN_KEYS = f"SELECT \"from\" AS col FROM pragma_foreign_key_list('{TABLE}')"
SQLITE_INDEXES = f"SELECT name FROM pragma_index_list('{TABLE}') WHERE origin = 'c'"
POSTGRES_FOREIGN_KEYS = (
    "SELECT a.attname AS col FROM pg_constraint c JOIN pg_attribute a "
    "ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
    f"WHERE c.conrelid = '{TABLE}'::regclass AND c.contype = 'f'"
)
POSTGRES_INDEXES = (
    f"SELECT indexname AS name FROM pg_indexes WHERE tablename = '{TABLE}' "
    "AND indexname NOT LIKE '%pkey'"
)


async def test_ledger_entries_check_one_foreign_key_and_keep_two_indexes(
    start_platform, any_database
) -> None:
    async with start_platform(database_url=any_database) as running:
        engine = running.platform.engine
        postgres = engine.engine_type == "postgres"
        keys = await fetch(engine, POSTGRES_FOREIGN_KEYS if postgres else SQLITE_FOREIGN_KEYS)
        indexes = await fetch(engine, POSTGRES_INDEXES if postgres else SQLITE_INDEXES)
        assert [row["col"] for row in keys] == ["txn"]
        assert {row["name"] for row in indexes} == {f"{TABLE}_txn", f"{TABLE}_account_position"}
