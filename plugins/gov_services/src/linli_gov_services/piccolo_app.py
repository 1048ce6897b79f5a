"""The gov services module's Piccolo app: its tables and migrations, shipped in the wheel."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import AppointmentRow, ServiceRow, SlotRow, StaffRow, SubsidyClaimRow

APP_CONFIG = AppConfig(
    app_name="gov_services",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ServiceRow, SlotRow, StaffRow, AppointmentRow, SubsidyClaimRow],
    migration_dependencies=[],
    commands=[],
)
