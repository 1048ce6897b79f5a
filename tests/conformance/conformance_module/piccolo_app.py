"""The conformance module's Piccolo app: its table and its migration."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import OrderRow

APP_CONFIG = AppConfig(
    app_name="conformance",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[OrderRow],
    migration_dependencies=[],
    commands=[],
)
