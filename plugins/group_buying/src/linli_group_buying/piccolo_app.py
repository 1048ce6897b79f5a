"""The group buying module's Piccolo app: its tables and migrations, shipped in the wheel."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .live_tables import LIVE_TABLES
from .tables import CampaignRow, ClaimRow, OrderRow, ParticipantRow, PickupRow

APP_CONFIG = AppConfig(
    app_name="group_buying",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[CampaignRow, ParticipantRow, OrderRow, PickupRow, ClaimRow, *LIVE_TABLES],
    migration_dependencies=[],
    commands=[],
)
