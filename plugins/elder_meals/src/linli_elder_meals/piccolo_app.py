"""The elder meals module's Piccolo app: its tables and migrations, shipped in the wheel."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import ElderRow, FamilyRow, MenuRow, OrderRow

APP_CONFIG = AppConfig(
    app_name="elder_meals",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ElderRow, FamilyRow, MenuRow, OrderRow],
    migration_dependencies=[],
    commands=[],
)
