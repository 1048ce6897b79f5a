"""Revenue-share overrides: a community's own shares within the bounds its module declares."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from linli_sdk import (
    Community,
    InvalidInput,
    Manifest,
    Money,
    NotFound,
)
from linli_sdk.revenue_share import RevenueShareRules

from linli.db.raw import fetch
from linli.modules.registry import ModuleRegistry

from ..db.cache import LookupCache
from .tables import ShareOverride

__all__ = ["RevenueShareOverrides"]


def _overrides_in(raw: Mapping[str, Any]) -> dict[str, int | Money]:
    return {
        party: Money.model_validate(value) if isinstance(value, dict) else int(value)
        for party, value in raw.items()
    }


def _overrides_out(overrides: Mapping[str, int | Money]) -> dict[str, Any]:
    return {
        party: value.model_dump() if isinstance(value, Money) else value
        for party, value in overrides.items()
    }


_OVERRIDES: LookupCache[str, dict[str, int | Money]] = LookupCache()
"""Revenue-share overrides by ``<community>:<module>``, cached per process."""


class RevenueShareOverrides:
    """The module's declared rules, and a community's overrides of them."""

    registry: ModuleRegistry

    def declared_manifest(self, module: str) -> Manifest:
        """The manifest of a loaded module.

        Raises:
            NotFound: No such module is loaded.

        """
        loaded = self.registry.get(module)
        if loaded is None:
            raise NotFound(f"no module {module!r} on this platform")
        return loaded.manifest

    def declared_rules(self, module: str) -> RevenueShareRules:
        """The revenue-share rules ``module`` declares.

        Raises:
            NotFound: No such module is loaded.
            InvalidInput: The module declares no revenue-share rules (it never charges).

        """
        rules = self.declared_manifest(module).revenue_share
        if rules is None:
            raise InvalidInput(f"module {module} declares no revenue-share rules")
        return rules

    def deposit_rules(self, module: str, expires_at: datetime) -> RevenueShareRules:
        """The rules ``module`` declares for its deposits (no community override applies).

        Raises:
            InvalidInput: The module declares no ``deposit_rules``, or ``expires_at`` is past.

        """
        rules = self.declared_manifest(module).deposit_rules
        if rules is None:
            raise InvalidInput(f"module {module} declares no deposit_rules")
        if expires_at.tzinfo is None or expires_at <= datetime.now(UTC):
            raise InvalidInput(
                "a deposit must expire in the future (a timezone-aware time)", field="expires_at"
            )
        return rules

    async def overrides(self, community_id: int, module: str) -> dict[str, int | Money]:
        """The operator's overrides for ``module`` in a community (empty if none).

        Cached per process (see `linli.db.cache`): `set_overrides` forgets the entry.
        """
        scope_key = f"{community_id}:{module}"
        cached = _OVERRIDES.get(scope_key)
        if cached is not None:
            return dict(cached)
        rows = await fetch(
            ShareOverride._meta.db,
            "SELECT overrides FROM linli_settlement_share_override WHERE scope_key = {}",
            scope_key,
        )
        raw = rows[0]["overrides"] if rows else {}
        found = _overrides_in(json.loads(raw) if isinstance(raw, str | bytes) else raw)
        return dict(_OVERRIDES.put(scope_key, found))  # none is cached too: the usual case

    async def rules_for(self, community_id: int, module: str) -> RevenueShareRules:
        """The effective rules of ``module`` in a community: declared, with overrides applied."""
        declared = self.declared_rules(module)
        overrides = await self.overrides(community_id, module)
        return declared.with_overrides(overrides) if overrides else declared

    async def set_overrides(
        self, community: Community, module: str, overrides: Mapping[str, int | Money]
    ) -> RevenueShareRules:
        """Store an operator's overrides after checking each is inside its declared bounds.

        Raises:
            ShareOutOfBounds: An override lies outside its bounds (the message names them).
            UnknownParty: An override names a party the rules do not have.

        """
        rules = self.declared_rules(module).with_overrides(overrides)
        scope_key = f"{community.id}:{module}"
        now = datetime.now(UTC)
        await ShareOverride.insert(
            ShareOverride(
                community=community.id,
                module=module,
                scope_key=scope_key,
                overrides=_overrides_out(overrides),
                updated_at=now,
            )
        ).on_conflict(
            target=ShareOverride.scope_key,
            action="DO UPDATE",
            values=[ShareOverride.overrides, ShareOverride.updated_at],
        )
        _OVERRIDES.forget(scope_key)
        return rules
