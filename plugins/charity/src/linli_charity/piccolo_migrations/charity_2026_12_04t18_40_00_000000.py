from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T18:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a purchase whose charge the gateway refused is marked failed"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="charity", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="PurchaseRow",
        tablename="charity_purchase",
        column_name="failed",
        db_column_name="failed",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
