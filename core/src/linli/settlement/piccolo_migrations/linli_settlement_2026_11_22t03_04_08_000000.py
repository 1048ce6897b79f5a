"""Releases are append-only in the database: UPDATE, DELETE (and TRUNCATE) refused.

Hand-written: Piccolo does not generate triggers, and a migration's raw steps run before its
tables are created, so this follows the migration that creates the table.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T03:04:08:000000"
VERSION = "1.38.0"
DESCRIPTION = "releases are append-only in the database"

RELEASE = "linli_settlement_release"


def _statements(engine_type: str) -> list[str]:
    # The function linli_settlement_append_only() comes from the 01:30 migration.
    if engine_type == "postgres":
        return [
            f"CREATE TRIGGER {RELEASE}_append_only BEFORE UPDATE OR DELETE ON {RELEASE} "
            "FOR EACH ROW EXECUTE FUNCTION linli_settlement_append_only()",
            f"CREATE TRIGGER {RELEASE}_no_truncate BEFORE TRUNCATE ON {RELEASE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION linli_settlement_append_only()",
        ]
    return [
        f"CREATE TRIGGER {RELEASE}_no_{verb.lower()} BEFORE {verb} ON {RELEASE} "
        "BEGIN SELECT RAISE(ABORT, 'releases are append-only'); END"
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
