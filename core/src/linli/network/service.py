"""The pickup network of one community: warehouses and pickup points, who keeps and leads each.

Three tiers, as community group buying runs them: a central warehouse, grid warehouses (网格仓)
it supplies, and pickup points (自提点) each grid warehouse supplies. A pickup point has a
pickup host (who hands goods over and verifies pickups) and a leader (团长, who runs its
residents' group buys); naming someone either gives them that role in the community. Every
query carries the community id: another community's point or warehouse is simply not found.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from linli_sdk import Community, Conflict, InvalidInput, NotFound, PickupPointView, Role

from linli.identity.members import grant_role
from linli.tables import PickupPoint, Warehouse

__all__ = [
    "WarehouseKind",
    "add_pickup_point",
    "add_warehouse",
    "assign_pickup_point",
    "list_warehouses",
    "pickup_point",
    "pickup_points",
    "update_pickup_point",
]

WarehouseKind = Literal["central", "grid"]

_POINT_COLUMNS = (
    PickupPoint.id,
    PickupPoint.name,
    PickupPoint.address,
    PickupPoint.host_member,
    PickupPoint.leader_member,
    PickupPoint.grid_warehouse,
    PickupPoint.grid_warehouse.name.as_alias("grid_name"),
    PickupPoint.archived_at,
)


async def _warehouse(community: Community, warehouse_id: int, kind: WarehouseKind) -> Any:
    row = (
        await Warehouse.select(Warehouse.id, Warehouse.name)
        .where(
            (Warehouse.id == warehouse_id)
            & (Warehouse.community == community.id)
            & (Warehouse.kind == kind)
        )
        .first()
    )
    if row is None:
        field = "central_id" if kind == "central" else "grid_warehouse_id"
        raise InvalidInput(f"there is no {kind} warehouse {warehouse_id} here", field=field)
    return row


async def add_warehouse(
    community: Community,
    kind: WarehouseKind,
    name: str,
    *,
    address: str = "",
    central_id: int | None = None,
) -> dict[str, Any]:
    """Add the central warehouse or a grid warehouse (which names its central one, if any).

    Raises:
        Conflict: A warehouse of this kind and name exists here, or a second central one.
        InvalidInput: ``central_id`` is not this community's central warehouse.
    """
    if kind == "central":
        if central_id is not None:
            raise InvalidInput("a central warehouse has no central warehouse", field="central_id")
        if await Warehouse.exists().where(
            (Warehouse.community == community.id) & (Warehouse.kind == "central")
        ):
            raise Conflict("this community has its central warehouse already")
    elif central_id is not None:
        await _warehouse(community, central_id, "central")
    key = f"{community.id}:{kind}:{name}"
    if await Warehouse.exists().where(Warehouse.scope_key == key):
        raise Conflict(f"a {kind} warehouse called {name!r} exists here")
    (row,) = await Warehouse.insert(
        Warehouse(
            community=community.id,
            kind=kind,
            name=name,
            address=address,
            central_id=central_id,
            scope_key=key,
            created_at=datetime.now(UTC),
        )
    ).returning(Warehouse.id)
    return {
        "id": row["id"],
        "kind": kind,
        "name": name,
        "address": address,
        "central_id": central_id,
    }


async def list_warehouses(community: Community) -> list[dict[str, Any]]:
    """The community's warehouses: the central one first, then the grid ones by name."""
    rows: list[dict[str, Any]] = await Warehouse.select(
        Warehouse.id, Warehouse.kind, Warehouse.name, Warehouse.address, Warehouse.central_id
    ).where(Warehouse.community == community.id)
    return sorted(rows, key=lambda r: (r["kind"] != "central", r["name"], r["id"]))


def _view(row: dict[str, Any]) -> PickupPointView:
    return PickupPointView(
        id=row["id"],
        name=row["name"],
        address=row["address"],
        grid_warehouse=row["grid_name"],
        host_id=row["host_member"],
        leader_id=row["leader_member"],
    )


async def _assign(community: Community, member_id: int | None, role: Role) -> None:
    if member_id is not None:
        await grant_role(community, member_id, role)


async def add_pickup_point(
    community: Community,
    name: str,
    *,
    address: str = "",
    grid_warehouse_id: int | None = None,
    host_id: int | None = None,
    leader_id: int | None = None,
) -> PickupPointView:
    """Add a pickup point, supplied by a grid warehouse, kept by a host and led by a leader.

    The host gets the ``pickup_host`` role here, the leader the ``leader`` role.

    Raises:
        Conflict: An open point of this name exists here.
        InvalidInput: The grid warehouse is not this community's.
        NotFound: The host or the leader is not a member here.
    """
    if grid_warehouse_id is not None:
        await _warehouse(community, grid_warehouse_id, "grid")
    if await PickupPoint.exists().where(
        (PickupPoint.community == community.id)
        & (PickupPoint.name == name)
        & PickupPoint.archived_at.is_null()
    ):
        raise Conflict(f"a pickup point called {name!r} exists here")
    await _assign(community, host_id, Role.PICKUP_HOST)
    await _assign(community, leader_id, Role.LEADER)
    (row,) = await PickupPoint.insert(
        PickupPoint(
            community=community.id,
            name=name,
            address=address,
            grid_warehouse=grid_warehouse_id,
            host_member=host_id,
            leader_member=leader_id,
        )
    ).returning(PickupPoint.id)
    return await _required(community, row["id"])


async def pickup_point(community: Community, point_id: int) -> PickupPointView | None:
    """The open pickup point with this id in this community, or ``None``."""
    row = (
        await PickupPoint.select(*_POINT_COLUMNS)
        .where(
            (PickupPoint.id == point_id)
            & (PickupPoint.community == community.id)
            & PickupPoint.archived_at.is_null()
        )
        .first()
    )
    return None if row is None else _view(row)


async def _required(community: Community, point_id: int) -> PickupPointView:
    point = await pickup_point(community, point_id)
    if point is None:
        raise NotFound(f"there is no pickup point {point_id} here")
    return point


async def pickup_points(community: Community) -> list[PickupPointView]:
    """The community's open pickup points, by id."""
    rows = (
        await PickupPoint.select(*_POINT_COLUMNS)
        .where((PickupPoint.community == community.id) & PickupPoint.archived_at.is_null())
        .order_by(PickupPoint.id)
    )
    return [_view(row) for row in rows]


async def assign_pickup_point(
    community: Community, point_id: int, member_id: int, role: Role
) -> PickupPointView:
    """Make ``member_id`` the point's host (``pickup_host``) or leader (``leader``)."""
    column = {Role.PICKUP_HOST: PickupPoint.host_member, Role.LEADER: PickupPoint.leader_member}
    if role not in column:
        raise InvalidInput(f"a pickup point has a host or a leader, not a {role}", field="role")
    await _required(community, point_id)
    await grant_role(community, member_id, role)
    await PickupPoint.update({column[role]: member_id}).where(
        (PickupPoint.id == point_id) & (PickupPoint.community == community.id)
    )
    return await _required(community, point_id)


async def update_pickup_point(
    community: Community,
    point_id: int,
    *,
    name: str | None = None,
    address: str | None = None,
    grid_warehouse_id: int | None = None,
    host_id: int | None = None,
    leader_id: int | None = None,
    archive: bool = False,
) -> PickupPointView | None:
    """Change what is given of a point, or archive it (it then takes no new orders).

    Returns the point as it is now, or ``None`` once archived.
    """
    await _required(community, point_id)
    changes: dict[Any, Any] = {}
    if name is not None:
        changes[PickupPoint.name] = name
    if address is not None:
        changes[PickupPoint.address] = address
    if grid_warehouse_id is not None:
        await _warehouse(community, grid_warehouse_id, "grid")
        changes[PickupPoint.grid_warehouse] = grid_warehouse_id
    if archive:
        changes[PickupPoint.archived_at] = datetime.now(UTC)
    if changes:
        await PickupPoint.update(changes).where(
            (PickupPoint.id == point_id) & (PickupPoint.community == community.id)
        )
    if archive:
        return None
    if host_id is not None:
        await assign_pickup_point(community, point_id, host_id, Role.PICKUP_HOST)
    if leader_id is not None:
        await assign_pickup_point(community, point_id, leader_id, Role.LEADER)
    return await _required(community, point_id)
