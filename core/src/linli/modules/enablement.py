"""Per-community enablement of modules and their settings, validated against each plugin's model."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from linli_sdk import Community, NotFound
from pydantic import BaseModel

from linli.db.cache import LookupCache
from linli.db.raw import fetch
from linli.modules.events import with_events
from linli.modules.registry import LoadedModule, ModuleRegistry
from linli.tables import ModuleSetting

if TYPE_CHECKING:
    from linli.platform import Platform

__all__ = [
    "ModuleState",
    "module_state",
    "module_state_by_id",
    "require_module",
    "set_module",
    "validate_settings",
]


@dataclass(frozen=True, slots=True)
class ModuleState:
    """A module's state in one community."""

    module: str
    enabled: bool
    settings: BaseModel


def _scope(community: Community, module: str) -> str:
    return f"{community.id}:{module}"  # as `module_state_by_id` keys it


def validate_settings(loaded: LoadedModule, settings: dict[str, Any]) -> BaseModel:
    """Validate ``settings`` against the module's model; a 422 names each bad field."""
    return loaded.manifest.validate_settings(settings)


_STATES: LookupCache[str, ModuleState] = LookupCache()
"""Stored module states by ``<community>:<module>``, cached per process (`linli.db.cache`)."""


async def module_state(community: Community, loaded: LoadedModule) -> ModuleState:
    """Whether ``loaded`` is enabled in ``community``, and its settings there.

    Cached per process for a short time; `set_module` forgets the entry it changes.
    """
    return await module_state_by_id(community.id, loaded)


async def module_state_by_id(community_id: int, loaded: LoadedModule) -> ModuleState:
    """`module_state` for a community known by its id (the outbox knows no more)."""
    scope = f"{community_id}:{loaded.name}"
    if (cached := _STATES.get(scope)) is not None:
        return cached
    # Raw SQL: this runs on every operation call, and Piccolo's query building costs more
    # than the query itself.
    rows = await fetch(
        ModuleSetting._meta.db,
        "SELECT enabled, settings FROM linli_module_setting WHERE scope_key = {}",
        scope,
    )
    if not rows:  # never enabled here: cached too, as `set_module` forgets it
        return _STATES.put(scope, ModuleState(loaded.name, False, loaded.manifest.settings()))
    settings = loaded.manifest.settings.model_validate_json(_json_text(rows[0]["settings"]))
    return _STATES.put(scope, ModuleState(loaded.name, bool(rows[0]["enabled"]), settings))


def _json_text(value: object) -> str | bytes:
    """A JSON column as text, whichever engine read it."""
    return value if isinstance(value, str | bytes) else json.dumps(value)


def require_module(registry: ModuleRegistry, name: str) -> LoadedModule:
    """The loaded module ``name``; :class:`~linli_sdk.NotFound` if it is not installed."""
    loaded = registry.get(name)
    if loaded is None:
        raise NotFound(f"there is no module {name!r} on this platform")
    return loaded


async def set_module(
    platform: Platform,
    community: Community,
    name: str,
    *,
    enabled: bool,
    settings: dict[str, Any] | None = None,
) -> ModuleState:
    """Enable or disable a module in a community, storing validated settings; fire its hook.

    ``settings=None`` keeps the stored settings (or the model's defaults).
    """
    registry = platform.registry
    loaded = require_module(registry, name)
    current = await module_state(community, loaded)
    model = current.settings if settings is None else validate_settings(loaded, settings)
    values = model.model_dump(mode="json")
    now = datetime.now(UTC)
    scope = _scope(community, name)
    async with ModuleSetting._meta.db.transaction():
        updated = (
            await ModuleSetting.update(
                {
                    ModuleSetting.enabled: enabled,
                    ModuleSetting.settings: values,
                    ModuleSetting.updated_at: now,
                }
            )
            .where(ModuleSetting.scope_key == scope)
            .returning(ModuleSetting.id)
            .run()
        )
        if not updated:
            await ModuleSetting.insert(
                ModuleSetting(
                    community=community.id,
                    module=name,
                    scope_key=scope,
                    enabled=enabled,
                    settings=values,
                    updated_at=now,
                )
            ).run()
    _STATES.forget(scope)
    if enabled:
        await with_events(
            platform, community, name, lambda host: registry.hooks.module_enabled(name, host, model)
        )
    elif current.enabled:
        await with_events(
            platform, community, name, lambda host: registry.hooks.module_disabled(name, host)
        )
    return ModuleState(name, enabled, model)
