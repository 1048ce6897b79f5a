"""The network's HTTP routes: ``/v1/communities/{community}/network/...``.

Operators add warehouses and pickup points and change them; every member may list the pickup
points (a resident chooses where to collect). Writes run as one unit of work each, with the
``Idempotency-Key`` honoured.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import PickupPointView, Role
from litestar import Response
from litestar.params import FromPath, JSONBody

from linli.http.handlers import get, patch, post

from ..http.access import Access
from ..http.community import COMMUNITY, AsCommand, CommunityController, Where
from . import service
from .schemas import (
    NETWORK_RESPONSES,
    PickupPointChange,
    PickupPointIn,
    PickupPointOut,
    WarehouseIn,
    WarehouseOut,
)

__all__ = ["NetworkController", "routes"]

_OPERATOR = Access.of(Role.OPERATOR, scope="admin").opt


def _out(point: PickupPointView) -> PickupPointOut:
    return PickupPointOut(**point.model_dump())


class NetworkController(CommunityController):
    """The network's community routes."""

    path = COMMUNITY + "/network"
    tags = ["network"]

    @post(
        "/warehouses",
        opt=_OPERATOR,
        status_code=201,
        summary="Add a warehouse",
        responses=NETWORK_RESPONSES,
    )
    async def add_warehouse(
        self,
        command: AsCommand,
        where: Where,
        data: JSONBody[WarehouseIn],
    ) -> Response[WarehouseOut]:
        """Add the central warehouse or a grid warehouse (网格仓) under it (operators)."""

        async def run() -> WarehouseOut:
            made = await service.add_warehouse(
                where, data.kind, data.name, address=data.address, central_id=data.central_id
            )
            return WarehouseOut(**made)

        return await command.answer(run, status=201)

    @get(
        "/warehouses",
        opt=Access.of(Role.OPERATOR, Role.LEADER, Role.PICKUP_HOST, Role.AUDITOR).opt,
        summary="The community's warehouses",
        responses=NETWORK_RESPONSES,
    )
    async def warehouses(self, where: Where) -> list[WarehouseOut]:
        """The central warehouse first, then the grid warehouses by name."""
        return [WarehouseOut(**row) for row in await service.list_warehouses(where)]

    @post(
        "/pickup-points",
        opt=_OPERATOR,
        status_code=201,
        summary="Add a pickup point",
        responses=NETWORK_RESPONSES,
    )
    async def add_pickup_point(
        self,
        command: AsCommand,
        where: Where,
        data: JSONBody[PickupPointIn],
    ) -> Response[PickupPointOut]:
        """Add a pickup point (自提点); its host and leader get those roles here (operators)."""

        async def run() -> PickupPointOut:
            return _out(await service.add_pickup_point(where, **data.model_dump()))

        return await command.answer(run, status=201)

    @get(
        "/pickup-points",
        opt=Access.member().opt,
        summary="The pickup points",
        responses=NETWORK_RESPONSES,
    )
    async def pickup_points(self, where: Where) -> list[PickupPointOut]:
        """The community's open pickup points, with their hosts and leaders."""
        return [_out(point) for point in await service.pickup_points(where)]

    @patch(
        "/pickup-points/{point_id:int}",
        opt=_OPERATOR,
        summary="Change or archive a pickup point",
        responses=NETWORK_RESPONSES,
    )
    async def change_pickup_point(
        self,
        where: Where,
        point_id: FromPath[int],
        data: JSONBody[PickupPointChange],
    ) -> Response[Any]:
        """Rename a point, move it, give it a new host or leader, or archive it (operators)."""
        changed = await service.update_pickup_point(where, point_id, **data.model_dump())
        if changed is None:
            return Response(b"", status_code=204)
        return Response(_out(changed))


def routes() -> list[Any]:
    """The network's routes: its controller."""
    return [NetworkController]
