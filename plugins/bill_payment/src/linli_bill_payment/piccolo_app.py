"""The bill payment module's Piccolo app: its tables and migrations, shipped in the wheel."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import BillAccountRow, BillPaymentRow

APP_CONFIG = AppConfig(
    app_name="bill_payment",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[BillPaymentRow, BillAccountRow],
    migration_dependencies=[],
    commands=[],
)
