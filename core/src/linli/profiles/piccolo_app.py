"""The profiles' Piccolo app: purchase facts, consents, tags, reminders and their migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import PersonalisationConsent, PurchaseFactRow, Reminder, Tag

APP_CONFIG = AppConfig(
    app_name="linli_profiles",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[PurchaseFactRow, PersonalisationConsent, Tag, Reminder],
    migration_dependencies=["linli.piccolo_app"],
    commands=[],
)
