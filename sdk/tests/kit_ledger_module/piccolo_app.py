"""The module's Piccolo app: its table, and the migrations that make it (a second adds a column)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import LineRow

APP_CONFIG = AppConfig(
    app_name="kit_ledger",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[LineRow],
    migration_dependencies=[],
    commands=[],
)
