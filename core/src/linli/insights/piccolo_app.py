"""The insights' Piccolo app: each community's k and residents' remarks, and their migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import InsightSetting, ItemRemark

APP_CONFIG = AppConfig(
    app_name="linli_insights",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[InsightSetting, ItemRemark],
    migration_dependencies=["linli.piccolo_app"],
    commands=[],
)
