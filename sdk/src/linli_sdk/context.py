"""What an operation or a hook knows about the call it serves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from pydantic import BaseModel

from .roles import Role

if TYPE_CHECKING:
    from .host import Host

__all__ = ["Caller", "Community", "Context"]

SettingsT = TypeVar("SettingsT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Community:
    """The community a call happens in.

    Attributes:
        id: The community's numeric id; every row a plugin stores should carry it.
        slug: The community's URL name, e.g. ``sunny-garden``.
        name: Its display name, e.g. ``阳光花园``.

    """

    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes a call, as the core authenticated them.

    Attributes:
        member_id: The member's id in this community, or ``None`` for a service caller.
        roles: The roles the caller holds in this community (always includes ``member``).
        scopes: The scopes of the caller's token; ``*`` stands for all scopes.

    """

    member_id: int | None
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.MEMBER}))
    scopes: frozenset[str] = field(default_factory=lambda: frozenset({"*"}))

    def has_role(self, *roles: Role) -> bool:
        """Whether the caller holds any of ``roles``."""
        return not self.roles.isdisjoint(roles)

    def has_scope(self, scope: str) -> bool:
        """Whether the caller's token carries ``scope``."""
        return "*" in self.scopes or scope in self.scopes


@dataclass(frozen=True, slots=True)
class Context(Generic[SettingsT]):
    """Everything an operation handler gets besides its input.

    The core builds one per call, after authentication, tenancy, role and scope checks passed.

    Attributes:
        community: The community the call is made in.
        module: The name of the module being called.
        caller: Who is calling.
        settings: The module's settings for this community, validated against its model.
        host: The ports to the platform, bound to this community and module.
        now: The time the call started (UTC).
        idempotency_key: The caller's ``Idempotency-Key`` for commands, if any.

    """

    community: Community
    module: str
    caller: Caller
    settings: SettingsT
    host: Host
    now: datetime
    idempotency_key: str | None = None
