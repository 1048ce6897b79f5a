"""The console's network page: warehouses, pickup points with hosts and leaders, invitations.

Each action calls what the network and invitation API routes call (`linli.network.service`,
`linli.identity.role_invitations`), its input read into the API's own models.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import LinliError, Role
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from ...http.access import Access
from ...identity import role_invitations
from ...identity.community_schemas import RoleInvitationIn
from ...identity.members import list_members
from ...network import service
from ...network.schemas import PickupPointChange, PickupPointIn, WarehouseIn
from ..web import Visit, act, page, submit, visit_of

__all__ = ["network_routes"]

READ = Access.of(Role.OPERATOR).opt
WRITE = Access.of(Role.OPERATOR, scope="admin").opt
BASE = "/c/{community:str}/network"


async def _page(request: Request[Any, Any, Any], error: LinliError | None = None) -> Template:
    where = visit_of(request).community
    return page(
        request,
        "network.html",
        error=error,
        warehouses=await service.list_warehouses(where),
        points=await service.pickup_points(where),
        members=await list_members(where),
        invitations=await role_invitations.list_invitations(where),
        invitable=sorted(role_invitations.INVITABLE),
    )


@get(BASE, opt=READ)
async def network(request: Request[Any, Any, Any]) -> Template:
    """The community's warehouses, pickup points and role invitations."""
    return await _page(request)


def _back(visit: Visit) -> str:
    return f"/c/{visit.community.slug}/network"


@post(f"{BASE}/warehouses", opt=WRITE, status_code=303)
async def add_warehouse(request: Request[Any, Any, Any]) -> Response[Any]:
    """Add the central warehouse or a grid warehouse (网格仓) under it."""
    visit = visit_of(request)
    return await submit(
        request,
        WarehouseIn,
        "warehouse",
        lambda data: service.add_warehouse(
            visit.community, data.kind, data.name, address=data.address, central_id=data.central_id
        ),
        again=_page,
        to=_back(visit),
        notice=lambda data, _: f"Warehouse {data.name} added.",
    )


@post(f"{BASE}/pickup-points", opt=WRITE, status_code=303)
async def add_point(request: Request[Any, Any, Any]) -> Response[Any]:
    """Add a pickup point (自提点); its host and leader get those roles here."""
    visit = visit_of(request)
    return await submit(
        request,
        PickupPointIn,
        "pickup point",
        lambda data: service.add_pickup_point(visit.community, **data.model_dump()),
        again=_page,
        to=_back(visit),
        notice=lambda data, _: f"Pickup point {data.name} added.",
    )


@post(f"{BASE}/pickup-points/{{point_id:int}}", opt=WRITE, status_code=303)
async def change_point(request: Request[Any, Any, Any], point_id: FromPath[int]) -> Response[Any]:
    """Give a point another host or leader, or archive it."""
    visit = visit_of(request)
    return await submit(
        request,
        PickupPointChange,
        "pickup point",
        lambda data: service.update_pickup_point(visit.community, point_id, **data.model_dump()),
        again=_page,
        to=_back(visit),
        notice=lambda data, _: (
            "Pickup point archived." if data.archive else "Pickup point changed."
        ),
    )


@post(f"{BASE}/invitations", opt=WRITE, status_code=303)
async def invite(request: Request[Any, Any, Any]) -> Response[Any]:
    """Invite a phone number to be a leader, pickup host or provider staff member here."""
    visit = visit_of(request)
    return await submit(
        request,
        RoleInvitationIn,
        "invitation",
        lambda data: role_invitations.invite(
            visit.platform.identity,
            visit.community,
            phone=data.phone,
            role=data.role,
            display_name=data.display_name,
            pickup_point_id=data.pickup_point_id,
            provider_id=data.provider_id,
            invited_by=visit.caller.member_id if visit.caller else None,
            days=data.days,
        ),
        again=_page,
        to=_back(visit),
        notice=lambda data, _: f"{data.display_name} invited as {data.role}.",
    )


@post(f"{BASE}/invitations/{{invitation_id:int}}/withdraw", opt=WRITE, status_code=303)
async def withdraw(request: Request[Any, Any, Any], invitation_id: FromPath[int]) -> Response[Any]:
    """Withdraw a pending role invitation."""
    visit = visit_of(request)
    return await act(
        request,
        lambda: role_invitations.withdraw_invitation(visit.community, invitation_id),
        again=_page,
        to=_back(visit),
        notice=lambda _: "Invitation withdrawn.",
    )


def network_routes() -> list[Any]:
    """The network page and its forms."""
    return [network, add_warehouse, add_point, change_point, invite, withdraw]
