"""The kit's events port: events the module published, in order."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..context import Community
from ..host import Event


class KitEvents:
    """The events port: every event published, in order."""

    def __init__(self, module: str, community: Community, clock: Callable[[], datetime]) -> None:
        self._module = module
        self._community = community
        self._now = clock
        self.published: list[Event] = []

    async def publish(self, type: str, payload: Mapping[str, Any]) -> Event:
        return self._append(f"{self._module}.{type}", payload, self._module)

    def record_platform(self, type: str, payload: Mapping[str, Any]) -> Event:
        """Record an event the platform sends the module (e.g. ``settlement.charge_captured``).

        Its ``type`` is not prefixed and its ``module`` is ``None``, as on the platform.
        """
        return self._append(type, payload, None)

    def _append(self, type: str, payload: Mapping[str, Any], module: str | None) -> Event:
        event = Event(
            id=str(uuid.uuid4()),
            type=type,
            community=self._community.slug,
            module=module,
            occurred=self._now(),
            payload=dict(payload),
        )
        self.published.append(event)
        return event
