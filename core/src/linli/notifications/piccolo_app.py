"""The notification service's Piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import (
    NotificationChannel,
    NotificationDelivery,
    NotificationLog,
    NotificationMessage,
    NotificationOptOut,
    NotificationPolicyRow,
    SmsSandboxMessage,
)

APP_CONFIG = AppConfig(
    app_name="linli_notifications",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        NotificationChannel,
        NotificationPolicyRow,
        NotificationOptOut,
        NotificationMessage,
        NotificationDelivery,
        NotificationLog,
        SmsSandboxMessage,
    ],
    migration_dependencies=["linli.piccolo_app"],
    commands=[],
)
