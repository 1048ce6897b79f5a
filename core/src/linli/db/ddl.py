"""Hand-written schema changes that Piccolo's migrations do not generate."""

from __future__ import annotations

from collections.abc import Sequence

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

__all__ = ["drop_postgres_foreign_keys", "postgres_foreign_keys_dropped"]


def drop_postgres_foreign_keys(table: str, columns: Sequence[str]) -> str:
    """One PostgreSQL statement dropping the foreign keys of ``table`` on ``columns``.

    Piccolo names foreign-key constraints itself, so they are looked up in the catalogue.
    """
    names = ", ".join(f"'{column}'" for column in columns)
    return f"""
    DO $$ DECLARE name text; BEGIN
        FOR name IN
            SELECT c.conname FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
            WHERE c.conrelid = '{table}'::regclass AND c.contype = 'f'
              AND a.attname IN ({names})
        LOOP
            EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', name);
        END LOOP;
    END $$
    """


def postgres_foreign_keys_dropped(
    manager: MigrationManager, tables: dict[str, Sequence[str]]
) -> MigrationManager:
    """``manager`` with a step dropping, on PostgreSQL only, each table's listed foreign keys.

    SQLite keeps them: it takes no row lock to check one, and dropping one means rebuilding
    the table.
    """

    async def drop() -> None:
        engine = engine_finder()
        assert engine is not None
        if engine.engine_type != "postgres":
            return
        for table, columns in tables.items():
            await engine.run_ddl(drop_postgres_foreign_keys(table, columns))

    manager.add_raw(drop)
    return manager
