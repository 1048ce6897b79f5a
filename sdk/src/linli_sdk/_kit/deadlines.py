"""The kit's deadlines port: pending deadlines by key, fired when the test moves the clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..errors import InvalidInput
from ..host import Deadline
from ..manifest import Manifest


class KitDeadlines:
    """The deadlines port: pending deadlines by key (only keys a declared handler takes)."""

    def __init__(self, manifest: Manifest) -> None:
        self._manifest = manifest
        self.pending: dict[str, Deadline] = {}

    async def schedule(self, key: str, due: datetime, payload: Mapping[str, Any]) -> Deadline:
        if due.tzinfo is None or due.utcoffset() is None:
            raise InvalidInput(f"deadline {key!r}: 'due' must be timezone-aware (UTC), got {due}")
        self._manifest.deadline_handler(key)  # refuses a key no declared handler takes
        deadline = Deadline(key=key, due=due, payload=dict(payload))
        self.pending[key] = deadline
        return deadline

    async def cancel(self, key: str) -> bool:
        return self.pending.pop(key, None) is not None
