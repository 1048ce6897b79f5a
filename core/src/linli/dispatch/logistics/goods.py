"""Goods through the three-tier network: pick lists and manifests (a pure rule module).

When a group buy is confirmed its orders travel central warehouse → grid warehouse (网格仓) →
pickup point (自提点). :func:`pick_lists` groups the orders by pickup point (what the host
hands out, order by order, with totals per item); :func:`grid_manifests` sums each grid
warehouse's consignments per pickup point; :func:`truck_runs` packs the consignments onto
truck runs from the central warehouse by first-fit decreasing on item count, keeping each
grid warehouse's consignments together where they fit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Consignment",
    "GoodsOrder",
    "GridManifest",
    "OrderLine",
    "PickList",
    "TruckRun",
    "grid_manifests",
    "pick_lists",
    "truck_runs",
]


@dataclass(frozen=True, slots=True)
class OrderLine:
    """So many of one item in an order."""

    sku: str
    name: str
    quantity: int


@dataclass(frozen=True, slots=True)
class GoodsOrder:
    """A confirmed order to be picked up: who (masked name), where, and what."""

    ref: str
    member: str
    pickup_point: str
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True, slots=True)
class PickList:
    """What one pickup point receives: its orders, and the total of each item (sku → qty)."""

    pickup_point: str
    orders: tuple[GoodsOrder, ...]
    totals: dict[str, int]
    names: dict[str, str]


@dataclass(frozen=True, slots=True)
class Consignment:
    """What one grid warehouse sends on to one pickup point."""

    grid: str
    pickup_point: str
    totals: dict[str, int]

    @property
    def items(self) -> int:
        """How many items it holds."""
        return sum(self.totals.values())


@dataclass(frozen=True, slots=True)
class GridManifest:
    """What one grid warehouse receives and sends on, per pickup point."""

    grid: str
    consignments: tuple[Consignment, ...]
    totals: dict[str, int]


@dataclass(frozen=True, slots=True)
class TruckRun:
    """One truck run from the central warehouse and the consignments it carries."""

    number: int
    consignments: tuple[Consignment, ...]

    @property
    def items(self) -> int:
        """How many items it carries."""
        return sum(c.items for c in self.consignments)


def _add(totals: dict[str, int], lines: Sequence[OrderLine]) -> None:
    for line in lines:
        totals[line.sku] = totals.get(line.sku, 0) + line.quantity


def pick_lists(orders: Sequence[GoodsOrder]) -> list[PickList]:
    """One pick list per pickup point, points and orders in a stable order."""
    by_point: dict[str, list[GoodsOrder]] = defaultdict(list)
    for order in orders:
        if any(line.quantity <= 0 for line in order.lines):
            raise ValueError(f"order {order.ref} has a line with no quantity")
        by_point[order.pickup_point].append(order)
    made = []
    for point in sorted(by_point):
        totals: dict[str, int] = {}
        names: dict[str, str] = {}
        for order in by_point[point]:
            _add(totals, order.lines)
            names.update({line.sku: line.name for line in order.lines})
        ordered = tuple(sorted(by_point[point], key=lambda o: o.ref))
        made.append(PickList(point, ordered, dict(sorted(totals.items())), names))
    return made


def grid_manifests(lists: Sequence[PickList], grid_of: Mapping[str, str]) -> list[GridManifest]:
    """One manifest per grid warehouse, from the pick lists and each point's grid warehouse."""
    by_grid: dict[str, list[Consignment]] = defaultdict(list)
    for pick in lists:
        if pick.pickup_point not in grid_of:
            raise ValueError(f"pickup point {pick.pickup_point} belongs to no grid warehouse")
        grid = grid_of[pick.pickup_point]
        by_grid[grid].append(Consignment(grid, pick.pickup_point, dict(pick.totals)))
    made = []
    for grid in sorted(by_grid):
        totals: dict[str, int] = {}
        for consignment in by_grid[grid]:
            for sku, quantity in consignment.totals.items():
                totals[sku] = totals.get(sku, 0) + quantity
        made.append(GridManifest(grid, tuple(by_grid[grid]), dict(sorted(totals.items()))))
    return made


def truck_runs(manifests: Sequence[GridManifest], capacity: int) -> list[TruckRun]:
    """Pack every consignment onto truck runs of at most ``capacity`` items each.

    A grid warehouse's whole load goes on one run when it fits; otherwise its consignments are
    packed one by one. A single consignment larger than a truck is refused.
    """
    if capacity <= 0:
        raise ValueError("a truck carries at least one item")
    groups: list[list[Consignment]] = []
    for manifest in manifests:
        if sum(c.items for c in manifest.consignments) <= capacity:
            groups.append(list(manifest.consignments))
        else:
            groups.extend([c] for c in manifest.consignments)
    groups.sort(key=lambda g: (-sum(c.items for c in g), g[0].grid, g[0].pickup_point))
    loads: list[list[Consignment]] = []
    room: list[int] = []
    for group in groups:
        size = sum(c.items for c in group)
        if size > capacity:
            raise ValueError(f"{group[0].pickup_point}'s consignment of {size} exceeds a truck")
        for i, left in enumerate(room):
            if size <= left:
                loads[i].extend(group)
                room[i] -= size
                break
        else:
            loads.append(list(group))
            room.append(capacity - size)
    return [TruckRun(n + 1, tuple(load)) for n, load in enumerate(loads)]
