"""The emergency channel over HTTP.

``/v1/emergencies`` is the platform operator's: declare an emergency for one or more
communities, list every declaration, move an end, end one. Under
``/v1/communities/{community}/emergencies`` a community's operators declare, amend and end
emergencies for their own community, and every member reads them (``/current``: the one in
force). Each community's change is its own transaction, its events delivered after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from linli_sdk import Caller, Community, Emergency, NotFound, Role
from litestar import Request, Response
from litestar.params import FromPath, JSONBody

from linli.http.handlers import get, patch, post

from ..http.access import Access
from ..http.community import COMMUNITY, AsCommand, CommunityController, Where, Who
from ..identity.auth import platform_guard
from ..identity.communities import get_community, list_communities
from . import service
from .schemas import (
    EMERGENCY_DOC,
    EMERGENCY_RESPONSES,
    DeclarationIn,
    DeclarationOut,
    EmergencyChange,
    EmergencyIn,
    EmergencyOut,
)

__all__ = ["EmergencyController", "routes"]

_PLATFORM: dict[str, Any] = {"opt": Access.platform().opt, "guards": [platform_guard]}
_OPERATOR = Access.of(Role.OPERATOR, scope="admin").opt


def _declaration(done: Sequence[tuple[Community, Emergency]]) -> DeclarationOut:
    first = done[0][1]
    slugs = [community.slug for community, _ in done]
    return DeclarationOut(**first.model_dump(), communities=slugs)


@post(
    "/v1/emergencies", status_code=201, summary="Declare an emergency", **_PLATFORM, **EMERGENCY_DOC
)
async def declare(request: Request[Any, Any, Any], data: JSONBody[DeclarationIn]) -> DeclarationOut:
    """Declare an emergency for the named communities (the platform operator)."""
    done = await service.declare(
        request.app.state.platform,
        data.communities,
        kind=data.kind,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        notes=data.notes,
        reference=data.reference,
    )
    return _declaration(done)


@get("/v1/emergencies", summary="Every emergency declared", **_PLATFORM, **EMERGENCY_DOC)
async def declarations() -> list[DeclarationOut]:
    """Every declaration, newest start first, with the communities it covers."""
    by_id: dict[str, list[tuple[Community, Emergency]]] = {}
    for record in await list_communities(archived=True):
        community = await get_community(record["slug"])
        for declared in await service.listed(community):
            by_id.setdefault(declared.emergency.id, []).append((community, declared.emergency))
    found = [_declaration(done) for done in by_id.values()]
    return sorted(found, key=lambda d: (d.starts_at, d.id), reverse=True)


@patch(
    "/v1/emergencies/{emergency_id:str}",
    summary="Move an emergency's end",
    **_PLATFORM,
    **EMERGENCY_DOC,
)
async def amend(
    emergency_id: FromPath[str], request: Request[Any, Any, Any], data: JSONBody[EmergencyChange]
) -> DeclarationOut:
    """Move the planned end in every community the declaration covers."""
    return _declaration(await service.amend(request.app.state.platform, emergency_id, data.ends_at))


@post(
    "/v1/emergencies/{emergency_id:str}/end",
    status_code=200,
    summary="End an emergency",
    **_PLATFORM,
    **EMERGENCY_DOC,
)
async def end(emergency_id: FromPath[str], request: Request[Any, Any, Any]) -> DeclarationOut:
    """End the emergency now in every community the declaration covers."""
    return _declaration(await service.end(request.app.state.platform, emergency_id))


def _by(caller: Caller) -> str:
    return "platform" if caller.member_id is None else f"member:{caller.member_id}"


class EmergencyController(CommunityController):
    """The emergency routes of one community: read, declare, amend and end its emergency."""

    path = COMMUNITY + "/emergencies"
    tags = ["emergency"]

    @get(
        "/",
        opt=Access.member().opt,
        summary="The community's emergencies",
        responses=EMERGENCY_RESPONSES,
    )
    async def community_emergencies(self, where: Where) -> list[EmergencyOut]:
        """Every emergency declared here, newest start first, and whether each is in force."""
        now = datetime.now(UTC)
        return [EmergencyOut.of(d.emergency, now, d.ended) for d in await service.listed(where)]

    @get(
        "/current",
        opt=Access.member().opt,
        summary="The emergency in force",
        responses=EMERGENCY_RESPONSES,
    )
    async def current_emergency(self, where: Where) -> EmergencyOut:
        """The emergency in force here now; 404 when there is none."""
        found = await service.current(where)
        if found is None:
            raise NotFound(f"no emergency is in force in {where.slug}")
        return EmergencyOut.of(found, datetime.now(UTC))

    @post(
        "/",
        opt=_OPERATOR,
        status_code=201,
        summary="Declare an emergency here",
        responses=EMERGENCY_RESPONSES,
    )
    async def declare_here(
        self,
        command: AsCommand,
        where: Where,
        caller: Who,
        data: JSONBody[EmergencyIn],
    ) -> Response[EmergencyOut]:
        """Declare an emergency for this community (its operators)."""
        unit = command.unit()
        emergency = Emergency(
            id=data.reference or f"{where.slug}-{datetime.now(UTC):%Y%m%d%H%M%S%f}",
            kind=data.kind,
            starts_at=data.starts_at or datetime.now(UTC),
            ends_at=data.ends_at,
            notes=data.notes,
        )

        async def run() -> EmergencyOut:
            made = await service.declare_in(where, unit, emergency, declared_by=_by(caller))
            return EmergencyOut.of(made, datetime.now(UTC))

        return await unit.answer(run, 201)

    @patch(
        "/{emergency_id:str}",
        opt=_OPERATOR,
        summary="Move an emergency's end here",
        responses=EMERGENCY_RESPONSES,
    )
    async def amend_here(
        self,
        command: AsCommand,
        where: Where,
        emergency_id: FromPath[str],
        data: JSONBody[EmergencyChange],
    ) -> Response[EmergencyOut]:
        """Move the planned end of an emergency of this community (its operators)."""
        unit = command.unit()

        async def run() -> EmergencyOut:
            changed = await service.amend_in(where, unit, emergency_id, data.ends_at)
            return EmergencyOut.of(changed, datetime.now(UTC))

        return await unit.answer(run)

    @post(
        "/{emergency_id:str}/end",
        opt=_OPERATOR,
        status_code=200,
        summary="End an emergency here",
        responses=EMERGENCY_RESPONSES,
    )
    async def end_here(
        self,
        command: AsCommand,
        where: Where,
        emergency_id: FromPath[str],
    ) -> Response[EmergencyOut]:
        """End an emergency of this community now (its operators)."""
        unit = command.unit()

        async def run() -> EmergencyOut:
            ended = await service.end_in(where, unit, emergency_id)
            return EmergencyOut.of(ended, datetime.now(UTC), ended=True)

        return await unit.answer(run)


def routes() -> list[Any]:
    """The emergency routes: the platform's declarations and the community controller."""
    return [declare, declarations, amend, end, EmergencyController]
