"""The module's Piccolo app: its table and migrations, shipped in the wheel."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import LoanRow

APP_CONFIG = AppConfig(
    app_name="toolbox",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[LoanRow],
    migration_dependencies=[],
    commands=[],
)
