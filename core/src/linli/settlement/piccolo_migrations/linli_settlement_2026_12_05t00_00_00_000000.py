"""Ledger entries keep the indexes and the foreign key their queries and integrity need.

Hand-written: Piccolo generates neither composite indexes nor SQLite table rebuilds. Every
live charge appends a dozen entries, and each index and foreign-key check is paid per row.
What stays on ``linli_settlement_ledger_entry``:

- ``txn`` references the ledger transaction (the line belongs to a balanced transaction that
  exists) and is indexed: a transaction's lines (``party_lines``, a charge's entries through
  its transactions) and the joins from lines to their transaction.
- ``(community, account, currency)`` (``linli_settlement_ledger_entry_account_position``):
  balances and payable accounts by community, a payee's statement, income and payout sums.

Dropped: the single-column indexes on ``community``, ``account`` (both prefixes or parts of
the composite index) and ``charge`` (a charge's entries are found through the indexed
``charge`` of its transactions), and the foreign keys of ``community`` and ``charge``, which
copy the transaction's own (checked there) and cost a lookup per line.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from linli.db.ddl import drop_postgres_foreign_keys

ID = "2026-12-05T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger entries: only the indexes and foreign key their queries need"

TABLE = "linli_settlement_ledger_entry"
DROPPED_INDEXES = [f"{TABLE}_community", f"{TABLE}_charge", f"{TABLE}_account"]

POSTGRES = [
    drop_postgres_foreign_keys(TABLE, ["community", "charge"]),
    *(f"DROP INDEX IF EXISTS {index}" for index in DROPPED_INDEXES),
]

# SQLite cannot drop a foreign key: the table is rebuilt (its triggers go with it; DROP TABLE
# fires no DELETE trigger) and its index and append-only triggers made again.
SQLITE = [
    f'CREATE TABLE "{TABLE}_new" ("id" INTEGER PRIMARY KEY NOT NULL, '
    '"community" INTEGER NOT NULL DEFAULT 0, '
    '"txn" INTEGER REFERENCES "linli_settlement_ledger_txn" ("id") '
    "ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "
    '"charge" INTEGER DEFAULT null, "account" VARCHAR(120) NOT NULL DEFAULT \'\', '
    '"party" VARCHAR(40) DEFAULT null, "amount" INTEGER NOT NULL DEFAULT 0, '
    "\"currency\" VARCHAR(3) NOT NULL DEFAULT '')",
    f'INSERT INTO "{TABLE}_new" (id, community, txn, charge, account, party, amount, currency) '
    f"SELECT id, community, txn, charge, account, party, amount, currency FROM {TABLE}",
    f"DROP TABLE {TABLE}",
    f'ALTER TABLE "{TABLE}_new" RENAME TO "{TABLE}"',
    f'CREATE INDEX {TABLE}_txn ON "{TABLE}" ("txn")',
    f"CREATE INDEX {TABLE}_account_position ON {TABLE} (community, account, currency)",
    *(
        f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
        "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(
        migration_id=ID, app_name="linli_settlement", description=DESCRIPTION
    )

    async def lean_entries() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in POSTGRES if engine.engine_type == "postgres" else SQLITE:
            await engine.run_ddl(statement)

    manager.add_raw(lean_entries)
    return manager
