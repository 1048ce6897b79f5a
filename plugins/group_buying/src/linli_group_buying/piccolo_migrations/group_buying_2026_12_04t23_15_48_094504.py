from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T23:15:48:094504"
VERSION = "1.38.0"
DESCRIPTION = "campaigns marked essential go on during an emergency"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="group_buying", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="CampaignRow",
        tablename="group_buying_campaign",
        column_name="essential",
        db_column_name="essential",
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
