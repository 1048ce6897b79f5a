"""The parcels module's Piccolo app: its tables and migrations, shipped in the wheel."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import CourierRow, ParcelRow

APP_CONFIG = AppConfig(
    app_name="parcels",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[CourierRow, ParcelRow],
    migration_dependencies=[],
    commands=[],
)
