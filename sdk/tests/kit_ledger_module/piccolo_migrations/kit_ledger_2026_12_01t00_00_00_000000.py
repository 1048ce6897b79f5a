from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the table, with the community id"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="kit_ledger", description=DESCRIPTION)
    manager.add_table(class_name="LineRow", tablename="kit_ledger_line", schema=None, columns=None)
    manager.add_column(
        table_class_name="LineRow",
        tablename="kit_ledger_line",
        column_name="community_id",
        db_column_name="community_id",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
