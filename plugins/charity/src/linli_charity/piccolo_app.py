"""The charity module's Piccolo app: its tables and migrations, shipped in the wheel."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import CampaignRow, FundEntryRow, FundRow, PurchaseRow

APP_CONFIG = AppConfig(
    app_name="charity",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[FundRow, CampaignRow, PurchaseRow, FundEntryRow],
    migration_dependencies=[],
    commands=[],
)
