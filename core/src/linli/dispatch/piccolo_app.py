"""The dispatch service's Piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import (
    DispatchJob,
    EventDelivery,
    OutboxEvent,
    ScheduledDeadline,
    ServiceWorker,
    WebhookSubscription,
)

APP_CONFIG = AppConfig(
    app_name="linli_dispatch",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        ScheduledDeadline,
        OutboxEvent,
        EventDelivery,
        WebhookSubscription,
        ServiceWorker,
        DispatchJob,
    ],
    migration_dependencies=["linli.piccolo_app"],
    commands=[],
)
