"""The ledger refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) in the database itself.

Hand-written: Piccolo does not generate triggers. The table classes refuse ``update`` and
``delete`` in code as well; these triggers also stop raw SQL and other clients.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T01:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the ledger is append-only in the database"

LEDGER = ("linli_settlement_ledger_txn", "linli_settlement_ledger_entry")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION linli_settlement_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql
"""


def _statements(engine_type: str) -> list[str]:
    if engine_type == "postgres":
        statements = [POSTGRES_FUNCTION]
        for table in LEDGER:
            statements += [
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION linli_settlement_append_only()",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION linli_settlement_append_only()",
            ]
        return statements
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
        for table in LEDGER
        for verb in ("UPDATE", "DELETE")
    ]


async def forwards() -> MigrationManager:
    manager = MigrationManager(
        migration_id=ID, app_name="linli_settlement", description=DESCRIPTION
    )

    async def append_only() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in _statements(engine.engine_type):
            await engine.run_ddl(statement)

    manager.add_raw(append_only)
    return manager
