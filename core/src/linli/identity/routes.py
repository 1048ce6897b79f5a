"""The identity service's HTTP routes.

Members, units, verification, personal data and OAuth clients of one community; the public
OAuth 2.0 routes are in :mod:`.sign_in_routes`.

Community routes are guarded by :func:`linli.identity.auth.access_guard`: the caller is
authenticated, the token's scope (``opt["scope"]``: ``read``, ``write``, ``profile`` or
``admin``) and the route's roles (``opt["access"]``) checked before the body is read.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import Role
from litestar import Request, Response
from litestar.params import FromPath, JSONBody

from linli.http.handlers import delete, get, post, put

from ..http.access import Access
from ..http.community import COMMUNITY, AsCommand, CommunityController, Myself, Where, Who
from ..modules.personal_data import erase_modules, export_modules
from ..platform import Platform
from . import privacy, verification
from .clients import register_client
from .community_routes import community_routes
from .schemas import (
    RESPONSES,
    ClientIn,
    ClientOut,
    ConsentIn,
    ConsentOut,
    ConsentWithdrawn,
    DecisionIn,
    DecisionOut,
    ErasureOut,
    InvitationIn,
    InvitationOut,
    MemberOut,
    NationalIdIn,
    NationalIdOut,
    RedeemIn,
    RequestIn,
    RequestOut,
    UnitIn,
    UnitOut,
)
from .scope_routes import ScopeRoutes
from .sign_in_routes import public_routes, service_of

__all__ = ["IdentityController", "routes"]


class IdentityController(CommunityController, ScopeRoutes):
    """The identity service's community routes (member scopes from its base class).

    Members and personal data, units and verification, and OAuth clients.
    """

    path = COMMUNITY
    tags = ["identity"]

    # -- members and personal data -----------------------------------------------------------------

    @get("/me", opt=Access.person("profile").opt, responses=RESPONSES)
    async def me(self, request: Request[Any, Any, Any], person: Myself) -> MemberOut:
        """The caller's own membership, their phone in full."""
        where, member_id = person
        profile = await privacy.member_profile(service_of(request), where, member_id, reveal=True)
        return MemberOut(**profile)

    @get(
        "/members/{member_id:int}",
        opt=Access.of(Role.OPERATOR, Role.LEADER, Role.AUDITOR, scope="read").opt,
        responses=RESPONSES,
    )
    async def member(
        self,
        request: Request[Any, Any, Any],
        where: Where,
        caller: Who,
        member_id: FromPath[int],
    ) -> MemberOut:
        """A member of the community; the phone in full for operators, masked for others."""
        reveal = caller.has_role(Role.OPERATOR)
        return MemberOut(
            **await privacy.member_profile(service_of(request), where, member_id, reveal=reveal)
        )

    @post(
        "/me/consents",
        opt=Access.person("profile").opt,
        status_code=201,
        responses=RESPONSES,
    )
    async def consent(
        self,
        command: AsCommand,
        person: Myself,
        data: JSONBody[ConsentIn],
    ) -> Response[ConsentOut]:
        """Record the caller's consent to a purpose (before an ID number is collected)."""
        _, member_id = person

        return await command.answer_row(
            ConsentOut,
            lambda: privacy.give_consent(member_id, data.purpose),
            status=201,
        )

    @delete(
        "/me/consents/{purpose:str}",
        opt=Access.person("profile").opt,
        status_code=200,
        responses=RESPONSES,
    )
    async def withdraw(
        self,
        command: AsCommand,
        person: Myself,
        purpose: FromPath[str],
    ) -> Response[ConsentWithdrawn]:
        """Withdraw a consent; for ``national_id`` the stored ID number is erased with it."""
        _, member_id = person

        return await command.answer_row(
            ConsentWithdrawn,
            lambda: privacy.withdraw_consent(member_id, purpose),
        )

    @put(
        "/me/national-id",
        opt=Access.person("profile").opt,
        responses=RESPONSES,
    )
    async def national_id(
        self,
        request: Request[Any, Any, Any],
        person: Myself,
        data: JSONBody[NationalIdIn],
    ) -> NationalIdOut:
        """Give the caller's ID number (consent first); stored sealed, answered masked.

        Setting the same number again changes nothing, so this takes no ``Idempotency-Key`` (a
        recorded request would hold the number).
        """
        _, member_id = person
        masked = await privacy.set_national_id(service_of(request), member_id, data.number)
        return NationalIdOut(national_id=masked)

    @get("/me/export", opt=Access.person("profile").opt, responses=RESPONSES)
    async def export(self, request: Request[Any, Any, Any], person: Myself) -> dict[str, Any]:
        """Everything Linli holds about the caller, as JSON (PIPL); ``modules``: each module's part."""  # noqa: E501
        _, member_id = person
        document = await privacy.export(service_of(request), member_id)
        platform: Platform = request.app.state.platform
        memberships = await privacy.memberships_of(member_id)
        document["modules"] = await export_modules(platform, memberships)
        return document

    @delete(
        "/me",
        opt=Access.person("profile").opt,
        status_code=200,
        responses=RESPONSES,
    )
    async def erase(
        self,
        command: AsCommand,
        request: Request[Any, Any, Any],
        person: Myself,
    ) -> Response[ErasureOut]:
        """Erase the caller's personal data; memberships stay, pseudonymised (PIPL).

        Every module erases its part first, each in its own transaction. If one fails, the answer
        says which (``erased: false``) and the caller's own account is left for a second run
        (with a new ``Idempotency-Key``), which retries every module; once all succeeded, the
        account is erased.
        """
        _, member_id = person
        platform = command.platform
        # Before the call's own transaction: each module's erasure commits on its own.
        modules = await erase_modules(platform, await privacy.memberships_of(member_id))

        async def run() -> ErasureOut:
            if any("failed" in outcome for outcome in modules):
                return ErasureOut(erased=False, memberships=0, modules=modules)
            return ErasureOut(
                **await privacy.erase(service_of(request), member_id), modules=modules
            )

        return await command.answer(run)

    # -- units and verification --------------------------------------------------------------------

    @post(
        "/units",
        opt=Access.of(Role.OPERATOR, scope="admin").opt,
        status_code=201,
        responses=RESPONSES,
    )
    async def add_unit(
        self,
        command: AsCommand,
        where: Where,
        data: JSONBody[UnitIn],
    ) -> Response[UnitOut]:
        """Add a unit (building, room) to the community."""
        return await command.answer_row(
            UnitOut,
            lambda: verification.add_unit(where, data.building, data.room),
            status=201,
        )

    @get(
        "/units",
        opt=Access.of(Role.OPERATOR, Role.LEADER, Role.AUDITOR, scope="read").opt,
        responses=RESPONSES,
    )
    async def units(self, where: Where) -> list[UnitOut]:
        """The community's units."""
        return [UnitOut(**row) for row in await verification.list_units(where)]

    @post(
        "/invitations",
        opt=Access.of(Role.LEADER, Role.OPERATOR, scope="write").opt,
        status_code=201,
        responses=RESPONSES,
    )
    async def invite(
        self, where: Where, caller: Who, data: JSONBody[InvitationIn]
    ) -> InvitationOut:
        """Issue an invitation code for a unit (leaders and operators); shown once."""
        code = await verification.issue_invitation(
            where, data.unit_id, caller.member_id, data.uses, data.days
        )
        return InvitationOut(code=code, unit_id=data.unit_id)

    @post(
        "/verification/invitation",
        opt=Access.person("write").opt,
        status_code=200,
        responses=RESPONSES,
    )
    async def redeem(
        self,
        command: AsCommand,
        person: Myself,
        data: JSONBody[RedeemIn],
    ) -> Response[UnitOut]:
        """Redeem an invitation code: the caller becomes a verified resident of its unit."""
        where, member_id = person

        return await command.answer_row(
            UnitOut,
            lambda: verification.redeem_invitation(where, member_id, data.code),
        )

    @post(
        "/verification/requests",
        opt=Access.person("write").opt,
        status_code=201,
        responses=RESPONSES,
    )
    async def ask(
        self,
        command: AsCommand,
        person: Myself,
        data: JSONBody[RequestIn],
    ) -> Response[RequestOut]:
        """Ask an operator to verify the caller as a resident of a unit."""
        where, member_id = person

        async def run() -> RequestOut:
            made = await verification.request_verification(where, member_id, data.unit_id)
            return RequestOut(id=made, member=member_id, unit=data.unit_id)

        return await command.answer(run, status=201)

    @get(
        "/verification/requests",
        opt=Access.of(Role.OPERATOR, Role.AUDITOR, scope="read").opt,
        responses=RESPONSES,
    )
    async def pending(self, where: Where) -> list[RequestOut]:
        """The pending verification requests."""
        return [RequestOut(**row) for row in await verification.list_requests(where)]

    @post(
        "/verification/requests/{request_id:int}/decision",
        opt=Access.of(Role.OPERATOR, scope="admin").opt,
        status_code=200,
        responses=RESPONSES,
    )
    async def decide(
        self,
        command: AsCommand,
        where: Where,
        caller: Who,
        request_id: FromPath[int],
        data: JSONBody[DecisionIn],
    ) -> Response[DecisionOut]:
        """Approve or reject a verification request (operators)."""

        async def run() -> DecisionOut:
            status = await verification.decide_request(
                where, request_id, caller.member_id, data.approve
            )
            return DecisionOut(id=request_id, status=status)

        return await command.answer(run)

    @post(
        "/clients",
        opt=Access.of(Role.OPERATOR, scope="admin").opt,
        status_code=201,
        responses=RESPONSES,
    )
    async def add_client(self, where: Where, data: JSONBody[ClientIn]) -> ClientOut:
        """Register an OAuth client: a frontend (with redirect URIs) or a back end acting here."""
        made = await register_client(
            data.name,
            redirect_uris=data.redirect_uris or None,
            scopes=data.scopes,
            community=None if data.redirect_uris else where,
        )
        return ClientOut(
            client_id=made.client_id,
            client_secret=made.client_secret,
            grant_types=list(made.grant_types),
            scopes=made.scopes,
        )


def routes(platform: Platform) -> list[Any]:
    """The identity service's routes: its public routes, the communities' and its controller."""
    return [*public_routes(), *community_routes(), IdentityController]
