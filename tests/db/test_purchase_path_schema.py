"""The rows every purchase appends name their community without a foreign key on PostgreSQL.

There each check of such a key locks the one community row every concurrent purchase names
(see the 2026-12-05 migrations of settlement, dispatch and profiles); SQLite keeps the key.
The other foreign keys of these tables (an intent's charge, a ledger transaction's charge, a
fact's member) stay on both.
"""

from __future__ import annotations

from linli.db.raw import fetch

TABLES = {
    "linli_settlement_charge": set(),
    "linli_settlement_intent": {"charge"},
    "linli_settlement_ledger_txn": {"charge"},
    "linli_settlement_sandbox_call": set(),
    "linli_dispatch_outbox": set(),
    "linli_profiles_fact": {"member"},
}

SQLITE = "SELECT \"from\" AS col FROM pragma_foreign_key_list('{}')"
POSTGRES = (
    "SELECT a.attname AS col FROM pg_constraint c JOIN pg_attribute a "
    "ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
    "WHERE c.conrelid = '{}'::regclass AND c.contype = 'f'"
)


async def test_purchase_rows_check_no_community_key_on_postgres(
    start_platform, any_database
) -> None:
    async with start_platform(database_url=any_database) as running:
        engine = running.platform.engine
        postgres = engine.engine_type == "postgres"
        for table, kept in TABLES.items():
            rows = await fetch(engine, (POSTGRES if postgres else SQLITE).format(table))
            keys = {row["col"] for row in rows}
            assert keys == (kept if postgres else kept | {"community"}), table
