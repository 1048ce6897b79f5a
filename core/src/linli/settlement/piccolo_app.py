"""The settlement service's Piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import (
    GatewayEvent,
    GatewayIntent,
    LedgerEntry,
    LedgerTxn,
    SettlementCharge,
    ShareOverride,
)

APP_CONFIG = AppConfig(
    app_name="linli_settlement",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        SettlementCharge,
        LedgerTxn,
        LedgerEntry,
        GatewayIntent,
        GatewayEvent,
        ShareOverride,
    ],
    migration_dependencies=["linli.piccolo_app"],
    commands=[],
)
