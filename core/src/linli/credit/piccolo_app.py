"""The credit service's Piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import (
    CreditAnnulment,
    CreditAudit,
    CreditEventRow,
    ProviderAppeal,
    ProviderApplication,
    ProviderRating,
    ProviderStanding,
)

APP_CONFIG = AppConfig(
    app_name="linli_credit",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        CreditEventRow,
        CreditAnnulment,
        CreditAudit,
        ProviderApplication,
        ProviderStanding,
        ProviderAppeal,
        ProviderRating,
    ],
    migration_dependencies=["linli.piccolo_app"],
    commands=[],
)
