"""Operator routes for member scopes and the ID number audit log of one community.

``GET .../member-scopes`` lists what each module declares and was granted; ``PUT`` and
``DELETE .../member-scopes/{module}/{member_scope}`` grant and revoke (operators, ``admin`` scope,
``Idempotency-Key`` honoured); ``GET .../national-id-views`` lists every ID number shown to a
module. Paths stay outside ``.../modules/{module}``, where the modules' own routes live.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from linli_sdk import Community, Role
from litestar import Request, Response
from litestar.params import FromPath, FromQuery

from linli.http.handlers import delete, get, put

from ..http.access import Access
from ..http.commands import Command
from ..http.community import AsCommand, Where, Who
from ..platform import Platform
from . import member_scopes
from .schemas import RESPONSES, NationalIdViewOut, ScopeGrantOut

__all__ = ["ScopeRoutes"]

ONE = "/member-scopes/{module:str}/{member_scope:str}"


async def _change(
    command: Command,
    change: Callable[..., Awaitable[dict[str, Any]]],
    where: Community,
    module: str,
    member_scope: str,
    member_id: int | None,
) -> Response[ScopeGrantOut]:
    """A module's member scope granted or revoked by ``change``, as one command."""
    registry = command.platform.registry

    return await command.answer_row(
        ScopeGrantOut,
        lambda: change(registry, where, module, member_scope, member_id),
    )


class ScopeRoutes:
    """Member scopes and the ID number audit log, of `linli.identity.routes.IdentityController`."""

    @get(
        "/member-scopes",
        opt=Access.of(Role.OPERATOR, Role.AUDITOR, scope="read").opt,
        responses=RESPONSES,
    )
    async def list_scopes(
        self, request: Request[Any, Any, Any], where: Where
    ) -> list[ScopeGrantOut]:
        """The member scopes each module declares, and whether each is granted here."""
        platform: Platform = request.app.state.platform
        rows = await member_scopes.list_grants(platform.registry, where)
        return [ScopeGrantOut(**row) for row in rows]

    @put(ONE, opt=Access.of(Role.OPERATOR, scope="admin").opt, responses=RESPONSES)
    async def grant(
        self,
        command: AsCommand,
        where: Where,
        caller: Who,
        module: FromPath[str],
        member_scope: FromPath[str],
    ) -> Response[ScopeGrantOut]:
        """Grant a module a member scope it declares (e.g. ``members.unit``) in this community."""
        scope = (where, module, member_scope, caller.member_id)
        return await _change(command, member_scopes.grant_scope, *scope)

    @delete(
        ONE,
        opt=Access.of(Role.OPERATOR, scope="admin").opt,
        status_code=200,
        responses=RESPONSES,
    )
    async def revoke(
        self,
        command: AsCommand,
        where: Where,
        caller: Who,
        module: FromPath[str],
        member_scope: FromPath[str],
    ) -> Response[ScopeGrantOut]:
        """Revoke a module's member scope in this community; the module stops seeing the field."""
        scope = (where, module, member_scope, caller.member_id)
        return await _change(command, member_scopes.revoke_scope, *scope)

    @get(
        "/national-id-views",
        opt=Access.of(Role.OPERATOR, Role.AUDITOR, scope="read").opt,
        responses=RESPONSES,
    )
    async def national_id_views(
        self,
        where: Where,
        member_id: FromQuery[int | None] = None,
    ) -> list[NationalIdViewOut]:
        """The audit log: every ID number shown to a module here (of one member if asked)."""
        rows = await member_scopes.national_id_views(
            community=where, members=None if member_id is None else [member_id]
        )
        return [NationalIdViewOut(**row) for row in rows]
