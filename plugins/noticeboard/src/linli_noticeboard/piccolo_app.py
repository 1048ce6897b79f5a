"""The notice board's Piccolo app: its table and migrations, shipped in the wheel."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import NoticeRow

APP_CONFIG = AppConfig(
    app_name="noticeboard",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[NoticeRow],
    migration_dependencies=[],
    commands=[],
)
