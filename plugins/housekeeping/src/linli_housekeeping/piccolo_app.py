"""The housekeeping module's Piccolo app: its tables and migrations, shipped in the wheel."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import BookingRow, ServiceRow, VoucherRow

APP_CONFIG = AppConfig(
    app_name="housekeeping",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ServiceRow, BookingRow, VoucherRow],
    migration_dependencies=[],
    commands=[],
)
