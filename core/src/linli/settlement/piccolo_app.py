"""The settlement service's Piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import (
    ConnectedAccount,
    GatewayEvent,
    GatewayIntent,
    LedgerEntry,
    LedgerTxn,
    Release,
    SandboxCall,
    SettlementCharge,
    ShareOverride,
    Transfer,
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
        Release,
        ConnectedAccount,
        Transfer,
        SandboxCall,
    ],
    migration_dependencies=["linli.piccolo_app"],
    commands=[],
)
