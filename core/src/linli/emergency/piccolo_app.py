"""The emergency channel's Piccolo app: its table and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import EmergencyRow

APP_CONFIG = AppConfig(
    app_name="linli_emergency",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[EmergencyRow],
    migration_dependencies=["linli.piccolo_app"],
    commands=[],
)
