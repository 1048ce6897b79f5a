"""The console's Piccolo app: its sessions table and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import ConsoleSession

APP_CONFIG = AppConfig(
    app_name="linli_console",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ConsoleSession],
    migration_dependencies=["linli.identity.piccolo_app"],
    commands=[],
)
