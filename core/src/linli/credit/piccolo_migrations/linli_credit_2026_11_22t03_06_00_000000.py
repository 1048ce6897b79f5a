"""Credit events, annulments and the credit audit log refuse UPDATE and DELETE in the database.

Hand-written: Piccolo does not generate triggers. An event is never changed or removed; an
annulment row says it no longer counts.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T03:06:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "credit events, annulments and audit are append-only in the database"

APPEND_ONLY = ("linli_credit_event", "linli_credit_annulment", "linli_credit_audit")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION linli_credit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'credit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql
"""


def _statements(engine_type: str) -> list[str]:
    if engine_type == "postgres":
        statements = [POSTGRES_FUNCTION]
        for table in APPEND_ONLY:
            statements += [
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION linli_credit_append_only()",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION linli_credit_append_only()",
            ]
        return statements
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'credit records are append-only'); END"
        for table in APPEND_ONLY
        for verb in ("UPDATE", "DELETE")
    ]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="linli_credit", description=DESCRIPTION)

    async def append_only() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in _statements(engine.engine_type):
            await engine.run_ddl(statement)
        # the score reads a subject's events: one index for (community, kind, subject)
        await engine.run_ddl(
            "CREATE INDEX linli_credit_event_subject ON linli_credit_event "
            "(community, subject_kind, subject_id)"
        )

    manager.add_raw(append_only)
    return manager
