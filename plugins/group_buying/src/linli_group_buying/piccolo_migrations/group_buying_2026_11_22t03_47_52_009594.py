from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-22T03:47:52:009594"
VERSION = "1.38.0"
DESCRIPTION = "live orders collected"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="group_buying", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="LiveOrder",
        tablename="group_buying_live_order",
        column_name="collected_at",
        db_column_name="collected_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
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
