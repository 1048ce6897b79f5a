"""PostgreSQL: no foreign key from ``community`` on the tables a purchase appends to.

- ``linli_dispatch_outbox``

Every flash-sale buy writes a row in each of these tables, all naming the same community, and
on PostgreSQL each foreign-key check of ``community`` takes a ``FOR KEY SHARE`` lock on that one
community row: concurrent buys lock it together, which PostgreSQL records as a multixact in the
row itself, and that contention was a tenth of the database's CPU per buy (``bench/cpu_per_call.py
--db postgres``: 1.58 → 1.40 ms) and a third of the rate. Communities are archived, never
deleted, and the id written always comes from the community the call was resolved to, so the
constraint guarded nothing a call can do. SQLite keeps it (no row lock, and dropping one means
rebuilding the table).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from linli.db.ddl import postgres_foreign_keys_dropped

ID = "2026-12-05T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "PostgreSQL: no community foreign key on the rows every purchase appends"


async def forwards() -> MigrationManager:
    """The step dropping the foreign keys (a no-op on SQLite)."""
    manager = MigrationManager(migration_id=ID, app_name="linli_dispatch", description=DESCRIPTION)
    return postgres_foreign_keys_dropped(manager, {"linli_dispatch_outbox": ["community"]})
