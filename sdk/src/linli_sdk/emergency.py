"""The emergency channel (应急响应通道) as a module sees it: whether an emergency is in force.

An operator declares an emergency (an epidemic lockdown, a flood) for one or more communities,
with its kind, start, planned end and notes; the platform keeps it and tells every module.
A module reads the state through ``host.emergency`` and reacts: group buying pauses its
non-essential campaigns, the emergency-supply module opens its ration packs. The platform also
delivers :data:`EMERGENCY_DECLARED`, :data:`EMERGENCY_AMENDED` and :data:`EMERGENCY_ENDED`
events to ``linli_event`` of every module enabled in the community.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

__all__ = [
    "EMERGENCY_AMENDED",
    "EMERGENCY_DECLARED",
    "EMERGENCY_ENDED",
    "Emergency",
    "EmergencyState",
]

EMERGENCY_DECLARED = "emergency.declared"
"""The type of the event delivered to ``linli_event`` when an emergency is declared here.

``payload``: ``emergency`` (an :class:`Emergency` as JSON). Delivered to every module enabled
in the community, at least once (a repeat carries the same ``event.id``). The emergency may
start later: read :meth:`EmergencyState.current` to know whether it is in force now.
"""

EMERGENCY_AMENDED = "emergency.amended"
"""The type of the event delivered to ``linli_event`` when an emergency's end is moved.

``payload``: ``emergency`` (the :class:`Emergency` as it is now).
"""

EMERGENCY_ENDED = "emergency.ended"
"""The type of the event delivered to ``linli_event`` when an operator ends an emergency.

``payload``: ``emergency`` (the :class:`Emergency`, its ``ends_at`` the moment it ended).
"""


class Emergency(BaseModel):
    """An emergency declared for the community (e.g. an epidemic lockdown, 封控).

    Attributes:
        id: The declaration's id, the same in every community it was declared for.
        kind: What kind of emergency, e.g. ``epidemic``, ``flood``, ``heatwave``.
        starts_at: When it comes into force (UTC).
        ends_at: When it is planned to end (UTC), or ``None`` until further notice.
        notes: What the operator wrote about it for residents and modules.

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None = None
    notes: str = ""

    def in_force(self, at: datetime) -> bool:
        """Whether the emergency is in force at ``at``: started, and not yet ended."""
        return self.starts_at <= at and (self.ends_at is None or at < self.ends_at)


class EmergencyState(Protocol):
    """``host.emergency``: the community's emergencies, read only (operators declare them)."""

    async def current(self) -> Emergency | None:
        """The emergency in force here now, or ``None``.

        With several in force (rare), the one that started first.
        """
        ...

    async def get(self, emergency_id: str) -> Emergency | None:
        """One emergency declared for this community (in force, planned or over), or ``None``."""
        ...
