"""The SDK's pickup-point port, served from the community's network."""

from __future__ import annotations

from linli_sdk import Community, PickupPointView

from .service import pickup_point, pickup_points

__all__ = ["PickupPointPort"]


class PickupPointPort:
    """``host.pickup_points``: the open pickup points of one community, read only."""

    def __init__(self, community: Community) -> None:
        self._community = community

    async def get(self, point_id: int) -> PickupPointView | None:
        """The open point with this id here, or ``None``."""
        return await pickup_point(self._community, point_id)

    async def all(self) -> list[PickupPointView]:
        """Every open pickup point here, by id."""
        return await pickup_points(self._community)
