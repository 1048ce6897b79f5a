"""Communities over HTTP, and inviting their leaders, pickup hosts and provider staff.

The platform operator creates, lists and archives communities; a community's operators rename
it and invite its leaders, pickup hosts and provider staff.

``/v1/communities`` (create, list) takes the platform operator's token only
(:func:`~linli.identity.auth.platform_guard`); every route under
``/v1/communities/{community}`` is served by `CommunitiesController` (guarded as every community
controller is), so a community operator's token opens its own community and no other.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import Role
from litestar import Request, Response
from litestar.params import FromPath, FromQuery, JSONBody

from linli.http.handlers import get, patch, post

from ..http.access import Access
from ..http.community import COMMUNITY, AsCommand, CommunityController, Where, Who
from . import communities, role_invitations
from .auth import platform_guard
from .community_schemas import (
    COMMUNITY_DOC,
    COMMUNITY_RESPONSES,
    CommunityChange,
    CommunityIn,
    CommunityOut,
    RoleInvitationIn,
    RoleInvitationOut,
)
from .sign_in_routes import service_of

__all__ = ["CommunitiesController", "community_routes"]


@post(
    "/v1/communities",
    opt=Access.platform().opt,
    guards=[platform_guard],
    status_code=201,
    summary="Create a community (platform operator)",
    **COMMUNITY_DOC,
)
async def create_community(data: JSONBody[CommunityIn]) -> CommunityOut:
    """Create a community with its time zone (IANA) and currency (ISO 4217)."""
    made = await communities.create_community(
        data.slug, data.name, timezone=data.timezone, currency=data.currency
    )
    return CommunityOut(**(await communities.get_record(made.slug)))


@get(
    "/v1/communities",
    opt=Access.platform().opt,
    guards=[platform_guard],
    summary="List the communities (platform operator)",
    **COMMUNITY_DOC,
)
async def list_communities(archived: FromQuery[bool] = False) -> list[CommunityOut]:
    """Every open community by slug; ``archived=true`` lists the archived ones too."""
    return [CommunityOut(**row) for row in await communities.list_communities(archived=archived)]


class CommunitiesController(CommunityController):
    """The routes of one community itself: its record, archiving it, and role invitations."""

    path = COMMUNITY
    tags = ["communities"]

    @get("/", opt=Access.member().opt, summary="The community", responses=COMMUNITY_RESPONSES)
    async def show_community(self, where: Where) -> CommunityOut:
        """The community's name, time zone and currency."""
        return CommunityOut(**(await communities.get_record(where.slug)))

    @patch(
        "/",
        opt=Access.of(Role.OPERATOR, scope="admin").opt,
        summary="Rename a community or change its time zone (operators)",
        responses=COMMUNITY_RESPONSES,
    )
    async def change_community(self, where: Where, data: JSONBody[CommunityChange]) -> CommunityOut:
        """Rename the community or move it to another IANA time zone."""
        changed = await communities.update_community(
            where.slug, name=data.name, timezone=data.timezone
        )
        return CommunityOut(**changed)

    @post(
        "/archive",
        opt=Access.platform().opt,
        status_code=200,
        summary="Archive a community (platform operator)",
        responses=COMMUNITY_RESPONSES,
    )
    async def archive(self, where: Where) -> CommunityOut:
        """Archive the community: its data stays, its members' tokens are refused from now on."""
        return CommunityOut(**(await communities.archive_community(where.slug)))

    @post(
        "/role-invitations",
        opt=Access.of(Role.OPERATOR, scope="admin").opt,
        status_code=201,
        summary="Invite a leader, pickup host or provider staff member by phone (operators)",
        responses=COMMUNITY_RESPONSES,
    )
    async def invite(
        self,
        command: AsCommand,
        request: Request[Any, Any, Any],
        where: Where,
        caller: Who,
        data: JSONBody[RoleInvitationIn],
    ) -> Response[RoleInvitationOut]:
        """Invite a phone number to a role: the person accepts by signing in with that number."""

        async def run() -> RoleInvitationOut:
            made = await role_invitations.invite(
                service_of(request),
                where,
                phone=data.phone,
                role=data.role,
                display_name=data.display_name,
                pickup_point_id=data.pickup_point_id,
                provider_id=data.provider_id,
                invited_by=caller.member_id,
                days=data.days,
            )
            return RoleInvitationOut(**made)

        return await command.answer(run, status=201)

    @get(
        "/role-invitations",
        opt=Access.of(Role.OPERATOR, Role.AUDITOR).opt,
        summary="The community's role invitations (operators)",
        responses=COMMUNITY_RESPONSES,
    )
    async def invitations(self, where: Where) -> list[RoleInvitationOut]:
        """Every role invitation here, newest first, phones masked."""
        return [RoleInvitationOut(**row) for row in await role_invitations.list_invitations(where)]

    @post(
        "/role-invitations/{invitation_id:int}/withdraw",
        opt=Access.of(Role.OPERATOR, scope="admin").opt,
        status_code=200,
        summary="Withdraw a pending role invitation (operators)",
        responses=COMMUNITY_RESPONSES,
    )
    async def withdraw(self, where: Where, invitation_id: FromPath[int]) -> RoleInvitationOut:
        """Withdraw a pending invitation: signing in with the phone no longer grants the role."""
        row = await role_invitations.withdraw_invitation(where, invitation_id)
        return RoleInvitationOut(**row)


def community_routes() -> list[Any]:
    """The platform-wide community routes and the controller of the per-community ones."""
    return [create_community, list_communities, CommunitiesController]
