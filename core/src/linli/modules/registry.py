"""The module registry: plugins discovered through entry points, checked, and registered.

Loading is explicit (``load_modules`` at start-up, never at import time) and strict: a plugin
whose SDK range does not include the running SDK, whose manifest is invalid, whose hooks do not
match the specification, or that fails to import is refused with a message, and the platform
starts without it.
"""

from __future__ import annotations

import importlib
import logging
import site
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import linli_sdk
import pluggy
from linli_sdk import Manifest
from linli_sdk import hookspecs as sdk_hookspecs

from linli.modules.hooks import PluginHooks
from linli.settings import Settings

__all__ = [
    "ENTRY_POINT_GROUP",
    "LoadedModule",
    "ModuleRegistry",
    "RefusedModule",
    "activate",
    "load_modules",
]

ENTRY_POINT_GROUP = "linli.plugins"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoadedModule:
    """A plugin that passed every check and is registered."""

    name: str
    manifest: Manifest
    plugin: object
    distribution: str


@dataclass(frozen=True, slots=True)
class RefusedModule:
    """A plugin that was found but not loaded, and why."""

    name: str
    distribution: str
    reason: str


@dataclass(slots=True)
class ModuleRegistry:
    """The modules this platform serves, the ones it refused, and their hooks."""

    modules: dict[str, LoadedModule] = field(default_factory=dict)
    refused: list[RefusedModule] = field(default_factory=list)
    hooks: PluginHooks = field(default_factory=lambda: PluginHooks(_new_manager()))

    def get(self, name: str) -> LoadedModule | None:
        """The loaded module called ``name``, or ``None``."""
        return self.modules.get(name)

    @property
    def piccolo_apps(self) -> list[str]:
        """The Piccolo app config modules the loaded plugins contribute, by module name."""
        return [m.manifest.piccolo_app for m in self.modules.values() if m.manifest.piccolo_app]


def _new_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(sdk_hookspecs.NAME)
    manager.add_hookspecs(sdk_hookspecs)
    return manager


def _distribution(point: EntryPoint) -> str:
    dist = point.dist
    return f"{dist.name} {dist.version}" if dist is not None else "(unknown distribution)"


def _check(point: EntryPoint, settings: Settings, registry: ModuleRegistry) -> LoadedModule:
    """Load one entry point and check it; raise ``ValueError`` with the reason to refuse it."""
    try:
        plugin = point.load()
    except Exception as exc:
        raise ValueError(f"failed to import {point.value}: {type(exc).__name__}: {exc}") from exc
    manifest = getattr(plugin, "manifest", None)
    if not isinstance(manifest, Manifest):
        raise ValueError(f"{point.value} has no 'manifest' of type linli_sdk.Manifest")
    if manifest.name != point.name:
        raise ValueError(f"entry point {point.name!r} declares module {manifest.name!r}")
    if not manifest.supports(linli_sdk.__version__):
        raise ValueError(
            f"{manifest.name} {manifest.version} supports linli-sdk {manifest.sdk}, "
            f"but this platform runs linli-sdk {linli_sdk.__version__}"
        )
    if manifest.name in registry.modules:
        raise ValueError(f"module name {manifest.name!r} is already taken")
    manager = registry.hooks.manager
    try:
        manager.register(plugin, name=manifest.name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise ValueError(f"{manifest.name}: {exc}") from exc
    unknown = sorted(c.name for c in manager.get_hookcallers(plugin) or () if not c.has_spec())
    if unknown:
        manager.unregister(plugin)
        raise ValueError(
            f"{manifest.name} implements hooks that do not exist: {', '.join(unknown)}"
        )
    if manifest.deadline_handlers and registry.hooks.implements(
        "linli_deadline_reached", manifest.name
    ):
        manager.unregister(plugin)
        raise ValueError(
            f"{manifest.name} declares deadline handlers and implements "
            "linli_deadline_reached: use one"
        )
    return LoadedModule(manifest.name, manifest, plugin, _distribution(point))


def activate(directory: Path | None) -> bool:
    """Put the modules directory on the import path (its ``.pth`` files too); once per process.

    Returns whether the directory exists (nothing is added when it does not).
    """
    if directory is None or not directory.is_dir():
        return False
    path = str(directory.resolve())
    if path not in sys.path:
        site.addsitedir(path)  # appended: the platform's own packages keep precedence
        importlib.invalidate_caches()
    return True


def load_modules(settings: Settings, points: Iterable[EntryPoint] | None = None) -> ModuleRegistry:
    """Discover, check and register every plugin of the ``linli.plugins`` entry-point group.

    Args:
        settings: Supplies the allow and deny lists.
        points: The entry points to consider; by default the installed ones, those in the
            modules directory (``settings.modules_dir``) included.
    """
    registry = ModuleRegistry()
    if points is None:
        activate(settings.modules_dir)
    found = points if points is not None else entry_points(group=ENTRY_POINT_GROUP)
    for point in sorted(found, key=lambda p: p.name):
        if point.name in settings.plugins_deny or (
            settings.plugins_allow is not None and point.name not in settings.plugins_allow
        ):
            registry.refused.append(
                RefusedModule(
                    point.name, _distribution(point), "excluded by the platform's settings"
                )
            )
            continue
        try:
            loaded = _check(point, settings, registry)
        except ValueError as exc:
            log.warning("module %s refused: %s", point.name, exc)
            registry.refused.append(RefusedModule(point.name, _distribution(point), str(exc)))
            continue
        registry.modules[loaded.name] = loaded
    registry.hooks.manager.check_pending()
    return registry
