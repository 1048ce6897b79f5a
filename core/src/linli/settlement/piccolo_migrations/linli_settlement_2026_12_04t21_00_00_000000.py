"""Deposits state their expiry on the charge; a payout names the charges it pays first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "deposit expiry on charges; the charges a payout pays"


def _params(default: object, *, null: bool, index: bool) -> dict[str, object]:
    return {
        "default": default,
        "null": null,
        "primary_key": False,
        "unique": False,
        "index": index,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }


async def forwards() -> MigrationManager:
    manager = MigrationManager(
        migration_id=ID, app_name="linli_settlement", description=DESCRIPTION
    )
    manager.add_column(
        table_class_name="SettlementCharge",
        tablename="linli_settlement_charge",
        column_name="expires_at",
        db_column_name="expires_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(None, null=True, index=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="Transfer",
        tablename="linli_settlement_transfer",
        column_name="charges",
        db_column_name="charges",
        column_class_name="JSON",
        column_class=JSON,
        params=_params("[]", null=False, index=False),
        schema=None,
    )
    return manager
