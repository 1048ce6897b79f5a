"""The community's pickup network as a module sees it: pickup points, their hosts and leaders.

The platform keeps the three-tier network as data: a central warehouse, grid warehouses
(网格仓) under it, and pickup points (自提点) under those, each point with its pickup host and
its leader (团长). A module reads it through ``host.pickup_points``: for a resident's order,
which point it is collected at, who hosts that point and who leads it, so the module knows
whom to pay without guessing.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict

__all__ = ["PickupPointView", "PickupPoints"]


class PickupPointView(BaseModel):
    """A pickup point (自提点) of the community, with who runs it.

    Attributes:
        id: The point's id; an order names its point by this id.
        name: Its name, as residents see it (e.g. ``3号楼快递柜旁``).
        address: Where it is.
        grid_warehouse: The name of the grid warehouse (网格仓) that supplies it, if any.
        host_id: The member who keeps the point and hands goods over (the pickup host), if any.
        leader_id: The member who leads the point's residents (团长), if any.

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int
    name: str
    address: str = ""
    grid_warehouse: str | None = None
    host_id: int | None = None
    leader_id: int | None = None


class PickupPoints(Protocol):
    """The community's pickup points (read only; operators change them, not modules)."""

    async def get(self, point_id: int) -> PickupPointView | None:
        """The point with this id in this community, or ``None``.

        ``None`` too for another community's point or an archived one.
        """
        ...

    async def all(self) -> list[PickupPointView]:
        """Every open pickup point of this community, by id."""
        ...
