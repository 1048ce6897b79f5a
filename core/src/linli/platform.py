"""The composition root: every service of a running Linli, built once and held as a field.

`Platform.from_settings` is the one place that builds the platform's parts and says what each
needs: the module registry and the database engine from the settings; settlement from the
registry and its gateway; identity from the settings (and its SMS sender, and the other
services holding a person's data: profiles); the credit book from the settings; profiles on
their own; the dispatch worker from the platform itself. Handlers, the worker, the CLI, tests
and scripts take services from here (``platform.settlement``, ``platform.identity``, ...);
nothing looks a service up anywhere else. A test or a deployment that needs another gateway or
SMS sender builds the platform with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from piccolo.engine.base import Engine

from linli.modules.registry import ModuleRegistry, load_modules

from .credit.ledger import CreditBook
from .db.engines import close_engine, make_engine, start_engine
from .db.migrate import migrate
from .db.runtime import activate
from .dispatch.worker import DispatchWorker
from .identity.service import IdentityService, LoggingSmsSender, SmsSender
from .insights.service import InsightsService
from .notifications.service import NotificationService
from .profiles.channel import NotificationReminders
from .profiles.service import Profiles
from .settings import Settings
from .settlement.gateways import Gateway
from .settlement.payments import gateway_for
from .settlement.service import Settlement

__all__ = ["Platform"]


@dataclass(slots=True)
class Platform:
    """Everything a running Linli holds: the one object the app, the worker and the CLI share."""

    settings: Settings
    engine: Engine  # type: ignore[type-arg]
    registry: ModuleRegistry
    settlement: Settlement
    identity: IdentityService
    credit: CreditBook
    profiles: Profiles = field(default_factory=Profiles)
    insights: InsightsService = field(default_factory=InsightsService)
    worker: DispatchWorker = field(init=False)
    notifications: NotificationService = field(init=False)

    def __post_init__(self) -> None:
        self.worker = DispatchWorker(self)
        self.notifications = NotificationService(self)
        if self.profiles.channel is None:  # repurchase reminders go out as notifications
            self.profiles.channel = NotificationReminders(self.notifications)

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        *,
        registry: ModuleRegistry | None = None,
        gateway: Gateway | None = None,
        sms: SmsSender | None = None,
    ) -> Platform:
        """Build the platform the settings describe, each service once.

        Args:
            settings: Read from the environment when omitted.
            registry: The modules; discovered from the installed plugins when omitted.
            gateway: The payment gateway; the one the settings name when omitted.
            sms: The SMS sender; the demo's logging sender when omitted.
        """
        settings = settings or Settings()
        registry = registry if registry is not None else load_modules(settings)
        engine = make_engine(
            settings.database_url, statement_cache_size=settings.database_statement_cache_size
        )
        activate(engine, registry.piccolo_apps)
        profiles, insights = Profiles(), InsightsService()
        return cls(
            settings=settings,
            engine=engine,
            registry=registry,
            settlement=Settlement(registry, gateway or gateway_for(settings)),
            # profiles' and insights' data of a person is exported and erased with identity's
            identity=IdentityService(
                settings, sms or LoggingSmsSender(), personal_data=[profiles, insights]
            ),
            credit=CreditBook(settings),
            profiles=profiles,
            insights=insights,
        )

    async def start(self, *, migrate_first: bool = False) -> None:
        """Open the database (and apply pending migrations if asked)."""
        activate(self.engine, self.registry.piccolo_apps)
        pool = self.settings.database_pool_min_size, self.settings.database_pool_max_size
        await start_engine(self.engine, min_size=pool[0], max_size=pool[1])
        if migrate_first:
            await self.migrate()

    async def migrate(self, progress: Callable[[int, int], None] | None = None) -> str:
        """Apply pending migrations of the core and every loaded module; return the report.

        ``progress(done, total)`` is told after each app's migrations (a CLI draws a bar).
        """
        return await migrate(self.engine, self.registry.piccolo_apps, progress=progress)

    async def stop(self) -> None:
        """Stop the worker (if it runs here), finish sending notifications, close the database."""
        await self.worker.stop()
        await self.notifications.sender.close()  # background sends finish first
        await close_engine(self.engine)
