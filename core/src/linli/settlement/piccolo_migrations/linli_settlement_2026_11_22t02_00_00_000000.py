"""An index on (community, account, currency) for a payee's balance and payouts.

Hand-written: Piccolo does not generate composite indexes. Without it SQLite answers a
payee's sums by scanning the community's whole ledger.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index ledger entries by community, account and currency"


async def forwards() -> MigrationManager:
    manager = MigrationManager(
        migration_id=ID, app_name="linli_settlement", description=DESCRIPTION
    )

    async def add_index() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE INDEX linli_settlement_ledger_entry_account_position "
            "ON linli_settlement_ledger_entry (community, account, currency)"
        )

    manager.add_raw(add_index)
    return manager
