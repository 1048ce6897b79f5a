"""The kit's pickup-point port: the points a test added, read as the platform serves them."""

from __future__ import annotations

from ..network import PickupPointView


class KitPickupPoints:
    """The community's pickup points, kept in ``points`` (id -> point)."""

    def __init__(self) -> None:
        self.points: dict[int, PickupPointView] = {}

    async def get(self, point_id: int) -> PickupPointView | None:
        return self.points.get(point_id)

    async def all(self) -> list[PickupPointView]:
        return [self.points[i] for i in sorted(self.points)]
