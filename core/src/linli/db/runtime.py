"""The engine and Piccolo apps in use, and binding every table to that engine.

Piccolo finds its engine and apps through a ``piccolo_conf`` module; Linli's
(:mod:`linli.piccolo_conf`) reads them from here, so one process can point Piccolo at the
database its settings name, and tests can point it at a fresh database each.
"""

from __future__ import annotations

from collections.abc import Sequence

from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppConfig, AppRegistry
from piccolo.engine.base import Engine

__all__ = ["activate", "current_apps", "current_engine"]

CORE_APPS = (
    "linli.piccolo_app",
    "linli.identity.piccolo_app",
    "linli.settlement.piccolo_app",
    "linli.dispatch.piccolo_app",
    "linli.files.piccolo_app",
    "linli.credit.piccolo_app",
    "linli.emergency.piccolo_app",
    "linli.profiles.piccolo_app",
    "linli.insights.piccolo_app",
    "linli.notifications.piccolo_app",
    "linli.console.piccolo_app",
)
"""The core's Piccolo apps: the platform's own tables, then each service's."""

_engine: Engine | None = None  # type: ignore[type-arg]
_apps: AppRegistry | None = None


def activate(engine: Engine, plugin_apps: Sequence[str] = ()) -> AppRegistry:  # type: ignore[type-arg]
    """Make ``engine`` the one every table of the core and of ``plugin_apps`` uses."""
    global _engine, _apps
    _engine = engine
    _apps = AppRegistry(apps=[*CORE_APPS, *plugin_apps])
    config: AppConfig
    for config in _apps.app_configs.values():
        for table in config.table_classes:
            table._meta.db = engine
    Migration._meta.db = engine
    return _apps


def current_engine() -> Engine:  # type: ignore[type-arg]
    """The engine made current by :func:`activate`."""
    if _engine is None:
        raise RuntimeError("no database is active: call linli.db.runtime.activate() first")
    return _engine


def current_apps() -> AppRegistry:
    """The Piccolo apps made current by :func:`activate`."""
    if _apps is None:
        raise RuntimeError("no database is active: call linli.db.runtime.activate() first")
    return _apps
