"""Who may call a route, declared as a typed value and checked when the app is built.

Every route handler declares its access in ``opt`` as an `Access` (``opt=Access.of(Role.OPERATOR,
scope="admin").opt``); `linli.identity.auth.access_guard` enforces it on community routes, before
the body is read. `check_access` runs when the app is built: a handler without a declaration, or
with anything but an `Access` (a string such as ``"role:operatr"``), stops the app from starting,
naming the route, instead of failing when the route is first called.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from linli_sdk import Role

__all__ = ["SCOPES", "Access", "AccessUndeclared", "check_access"]

SCOPES = frozenset({"read", "write", "profile", "admin"})
"""The scopes a token may carry (OAuth 2.0); API tokens carry them all."""

Kind = Literal["public", "member", "person", "roles", "platform", "service"]


class AccessUndeclared(ValueError):
    """A route declares no access, or one that is not an `Access`."""


@dataclass(frozen=True, slots=True)
class Access:
    """Who may call a route: anyone, any member, members with one of some roles, and the scope.

    Attributes:
        kind: ``public`` (no token), ``member`` (any member of the community), ``person`` (a
            member acting for themselves: not a provider's back end, not the platform), ``roles`` (a
            member holding one of `roles`), ``platform`` (the platform operator's token) or
            ``service`` (authenticated by the route itself, e.g. a signed webhook).
        roles: For ``roles``: the caller must hold at least one.
        scope: The scope the caller's token must carry (``read`` when none is named).
    """

    kind: Kind
    roles: frozenset[Role] = field(default_factory=frozenset)
    scope: str | None = None

    def __post_init__(self) -> None:
        if self.kind == "roles" and not self.roles:
            raise ValueError("a route open to roles names at least one")
        if self.kind != "roles" and self.roles:
            raise ValueError(f"a {self.kind} route names no roles")
        for role in self.roles:
            Role(role)  # a misspelt role is refused here, at import
        if self.scope is not None and self.scope not in SCOPES:
            raise ValueError(f"unknown scope {self.scope!r}: use one of {sorted(SCOPES)}")

    @classmethod
    def public(cls) -> Access:
        """Anyone, without a token."""
        return cls("public")

    @classmethod
    def member(cls, scope: str | None = None) -> Access:
        """Any member of the community (and the platform operator)."""
        return cls("member", scope=scope)

    @classmethod
    def person(cls, scope: str | None = None) -> Access:
        """A member acting on their own data: a back end's or the platform's token is refused."""
        return cls("person", scope=scope)

    @classmethod
    def of(cls, *roles: Role, scope: str | None = None) -> Access:
        """A member holding at least one of ``roles`` (and the platform operator)."""
        return cls("roles", frozenset(Role(r) for r in roles), scope)

    @classmethod
    def platform(cls) -> Access:
        """The platform operator's token only."""
        return cls("platform")

    @classmethod
    def service(cls) -> Access:
        """An outside service that the route authenticates itself (a signed webhook)."""
        return cls("service")

    @property
    def opt(self) -> dict[str, Any]:
        """The handler ``opt`` that declares this access."""
        return {"access": self}

    def __str__(self) -> str:
        if self.kind == "roles":
            return "role:" + ",".join(sorted(self.roles))
        return self.kind


def check_access(routes: Iterable[Any], docs_path: str) -> None:
    """Refuse to build an app with a route whose access is not a typed `Access`.

    Args:
        routes: The app's routes (``app.routes``), each with its handlers' merged ``opt``;
            Litestar's own ``OPTIONS`` handlers (outside the schema) are not checked.
        docs_path: Where the OpenAPI document and its pages are served (no access needed).

    Raises:
        AccessUndeclared: Naming every such route (method and path).

    """
    wrong = []
    for route in routes:
        if route.path.startswith(docs_path):
            continue
        for handler in getattr(route, "route_handlers", []):
            access = handler.opt.get("access")
            if handler.include_in_schema is not False and not isinstance(access, Access):
                wrong.append(f"{sorted(handler.http_methods)} {route.path}: {access!r}")
    if wrong:
        raise AccessUndeclared("routes without a typed Access declaration: " + "; ".join(wrong))
