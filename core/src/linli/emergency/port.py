"""The SDK's ``host.emergency`` port, served from the emergency channel."""

from __future__ import annotations

from linli_sdk import Community, Emergency

from . import service

__all__ = ["HostEmergency"]


class HostEmergency:
    """``host.emergency``: the emergencies of one community, read only."""

    def __init__(self, community: Community) -> None:
        self._community = community

    async def current(self) -> Emergency | None:
        """The emergency in force here now, or ``None``."""
        return await service.current(self._community)

    async def get(self, emergency_id: str) -> Emergency | None:
        """One emergency declared here, or ``None``."""
        return await service.get(self._community, emergency_id)
