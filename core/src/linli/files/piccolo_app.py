"""The file store's Piccolo app: its table and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import StoredFile

APP_CONFIG = AppConfig(
    app_name="linli_files",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[StoredFile],
    migration_dependencies=["linli.piccolo_app"],
    commands=[],
)
