"""The community router: what every route under ``/v1/communities/{community}`` shares.

Each core service serves its community routes through one router made here (the settlement
router, the credit router, ...). The router carries what the routes would otherwise repeat:

- the path prefix (``/v1/communities/{community}`` and the service's own part) and the tag;
- authentication and tenancy: `linli.identity.auth.access_guard`, which checks each route's typed
  `linli.http.access.Access` before the body is read;
- ``Provide`` for the caller: a handler that declares ``where: Where``, ``caller: Who`` or
  ``person: Myself`` receives the community, the caller the guard authenticated, or the member
  acting for themselves. The aliases mark each parameter as injected by name
  (``NamedDependency``), so none is left for Litestar to infer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from linli_sdk import Caller, Community, Forbidden
from litestar import Request, Router
from litestar.di import NamedDependency, Provide

from linli.identity.auth import access_guard

__all__ = ["COMMUNITY", "Myself", "Person", "Where", "Who", "community_router"]

COMMUNITY = "/v1/communities/{community:str}"
"""The prefix of every route that acts in one community."""

Person: TypeAlias = tuple[Community, int]
"""A member acting for themselves: the community and their member id."""

Where: TypeAlias = NamedDependency[Community]
"""A handler parameter ``where: Where``: the community of the route, as authenticated."""

Who: TypeAlias = NamedDependency[Caller]
"""A handler parameter ``caller: Who``: the caller the guard authenticated."""

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


def community_router(
    path: str,
    handlers: Sequence[Any],
    *,
    tag: str | None = None,
    dependencies: Mapping[str, Provide] | None = None,
) -> Router:
    """The router of one service's community routes, under ``/v1/communities/{community}``.

    Args:
        path: The service's part of the path (``/settlement``); empty for none.
        handlers: The service's route handlers, their paths relative to the router's.
        tag: The OpenAPI tag of every route (none: the handlers name their own).
        dependencies: More ``Provide`` of the service's own, built on ``where`` and ``caller``.
    """
    return Router(
        path=COMMUNITY + path,
        route_handlers=list(handlers),
        guards=[access_guard],
        dependencies={
            "where": Provide(_where, sync_to_thread=False),
            "caller": Provide(_caller, sync_to_thread=False),
            "person": Provide(_person, sync_to_thread=False),
            **(dependencies or {}),
        },
        tags=[tag] if tag else None,
    )
