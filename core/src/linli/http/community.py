"""What every route under ``/v1/communities/{community}`` shares: the community controller.

Each core service serves its community routes through one Litestar ``Controller``, a subclass of
`CommunityController` (``SettlementController``, ``CreditController``, ...) that declares its
path and tag once; the handlers are its methods. The base class carries what every such route
would otherwise repeat:

- authentication and tenancy: `linli.identity.auth.access_guard`, which checks each route's typed
  `linli.http.access.Access` (its ``opt``) before the body is read;
- ``Provide`` for the caller: a handler that declares ``where: Where``, ``caller: Who`` or
  ``person: Myself`` receives the community, the caller the guard authenticated, or the member
  acting for themselves; one that declares ``command: AsCommand`` receives its
  `linli.http.commands.Command`, its unit of work under the request's ``Idempotency-Key``.
  The aliases mark each parameter as injected by name (``NamedDependency``), so none is left
  for Litestar to infer.

`community_router` gives the same to handlers built at start-up (one per loaded module).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from linli_sdk import Caller, Community, Forbidden
from litestar import Controller, Request, Router
from litestar.di import NamedDependency, Provide
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler

from linli.http.commands import Command, provide_command
from linli.identity.auth import access_guard

__all__ = [
    "COMMUNITY",
    "AsCommand",
    "CommunityController",
    "Myself",
    "Person",
    "Where",
    "Who",
    "community_router",
]

COMMUNITY = "/v1/communities/{community:str}"
"""The prefix of every route that acts in one community."""

Person: TypeAlias = tuple[Community, int]
"""A member acting for themselves: the community and their member id."""

Where: TypeAlias = NamedDependency[Community]
"""A handler parameter ``where: Where``: the community of the route, as authenticated."""

Who: TypeAlias = NamedDependency[Caller]
"""A handler parameter ``caller: Who``: the caller the guard authenticated."""

AsCommand: TypeAlias = NamedDependency[Command]
"""A handler parameter ``command: AsCommand``: the request's command, run as one unit of work
under its ``Idempotency-Key`` (`linli.http.commands.Command`)."""

Myself: TypeAlias = NamedDependency[Person]
"""A handler parameter ``person: Myself``: the member acting on their own data
(`linli.http.access.Access.person` routes)."""


def _where(request: Request[Any, Any, Any]) -> Community:
    where: Community = request.state.identity[0]
    return where


def _caller(request: Request[Any, Any, Any]) -> Caller:
    caller: Caller = request.state.identity[1]
    return caller


def _person(where: Where, caller: Who) -> Person:
    """The member acting for themselves (the `Access.person` routes' caller).

    `Access.person` refused a provider's back end and the platform token before the body was read.
    """
    if caller.member_id is None:  # unreachable behind Access.person; narrows the type
        raise Forbidden("only a member acts on their own personal data")
    return where, caller.member_id


_GUARDS = [access_guard]
_DEPENDENCIES = {
    "where": Provide(_where, sync_to_thread=False),
    "caller": Provide(_caller, sync_to_thread=False),
    "person": Provide(_person, sync_to_thread=False),
    "command": Provide(provide_command),
}


class CommunityController(Controller):
    """The base of a core service's controller: its routes act in one community.

    A subclass declares ``path`` (`COMMUNITY` and the service's own part) and ``tags``; its
    handlers each declare their `linli.http.access.Access` in ``opt``.
    """

    path = COMMUNITY
    guards = _GUARDS
    dependencies = _DEPENDENCIES

    def get_route_handlers(self) -> list[BaseRouteHandler]:
        """The handlers in the order they are declared (the class's own, then its bases').

        Litestar would order them by name. The order is the OpenAPI document's, and Litestar
        gives a shared schema the description of the first field it meets of that type, so the
        declared order keeps the document as the service's author arranged it, start after start.
        """
        declared = [
            handler
            for layer in type(self).__mro__
            for handler in vars(layer).values()
            if isinstance(handler, HTTPRouteHandler)
        ]
        place = {_route_of(handler): i for i, handler in enumerate(declared)}
        return sorted(super().get_route_handlers(), key=lambda h: place[_route_of(h)])


def _route_of(handler: BaseRouteHandler) -> tuple[frozenset[str], frozenset[str]]:
    """A handler's paths and methods: unique among a controller's handlers."""
    return frozenset(handler.paths), frozenset(getattr(handler, "http_methods", ()))


def community_router(path: str, handlers: Sequence[Any], *, tag: str | None = None) -> Router:
    """A router of community routes built at start-up, guarded and provided as a controller is.

    Args:
        path: The part of the path after `COMMUNITY` (``/modules``); empty for none.
        handlers: The route handlers, their paths relative to the router's.
        tag: The OpenAPI tag of every route (none: the handlers name their own).
    """
    return Router(
        path=COMMUNITY + path,
        route_handlers=list(handlers),
        guards=_GUARDS,
        dependencies=_DEPENDENCIES,
        tags=[tag] if tag else None,
    )
