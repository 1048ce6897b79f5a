"""The running platform: its settings, database engine and module registry, started and stopped."""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.engine.base import Engine

from .db.engines import close_engine, make_engine, start_engine
from .db.migrate import migrate
from .db.runtime import activate
from .registry import ModuleRegistry, load_modules
from .settings import Settings

__all__ = ["Platform"]


@dataclass(slots=True)
class Platform:
    """Everything a running Linli holds; the one object the HTTP app and the CLI share."""

    settings: Settings
    engine: Engine  # type: ignore[type-arg]
    registry: ModuleRegistry

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Platform:
        """Build the platform the settings describe: discover modules, make the engine."""
        settings = settings or Settings()
        registry = load_modules(settings)
        engine = make_engine(settings.database_url)
        activate(engine, registry.piccolo_apps)
        return cls(settings, engine, registry)

    async def start(self, *, migrate_first: bool = False) -> None:
        """Open the database (and apply pending migrations if asked)."""
        activate(self.engine, self.registry.piccolo_apps)
        await start_engine(self.engine)
        if migrate_first:
            await self.migrate()

    async def migrate(self) -> str:
        """Apply pending migrations of the core and every loaded module; return the report."""
        return await migrate(self.engine, self.registry.piccolo_apps)

    async def stop(self) -> None:
        """Close the database."""
        await close_engine(self.engine)
