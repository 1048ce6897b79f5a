from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T20:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial"


def _params(**given):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **given,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="conformance", description=DESCRIPTION)
    manager.add_table(
        class_name="OrderRow", tablename="conformance_order", schema=None, columns=None
    )
    manager.add_column(
        table_class_name="OrderRow",
        tablename="conformance_order",
        column_name="community_id",
        db_column_name="community_id",
        column_class_name="Integer",
        column_class=Integer,
        params=_params(default=0, index=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="OrderRow",
        tablename="conformance_order",
        column_name="order_ref",
        db_column_name="order_ref",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(default="", length=100),
        schema=None,
    )
    return manager
