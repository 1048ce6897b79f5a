"""The emergency supply module's Piccolo app: its tables and migrations, shipped in the wheel."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import AllowanceRow, DispatcherRow, HouseholdRow, OrderRow, PackRow

APP_CONFIG = AppConfig(
    app_name="emergency_supply",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[PackRow, HouseholdRow, AllowanceRow, OrderRow, DispatcherRow],
    migration_dependencies=[],
    commands=[],
)
