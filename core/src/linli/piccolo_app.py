"""The core's Piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import (
    Community,
    IdempotencyRecord,
    Member,
    ModuleSetting,
    PickupPoint,
    Provider,
    Warehouse,
)

APP_CONFIG = AppConfig(
    app_name="linli",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Community,
        Provider,
        Member,
        Warehouse,
        PickupPoint,
        ModuleSetting,
        IdempotencyRecord,
    ],
    migration_dependencies=[],
    commands=[],
)
