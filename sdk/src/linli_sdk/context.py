"""What an operation or a hook knows about the call it serves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
        timezone: Its IANA time zone, e.g. ``Asia/Shanghai``: local dates ("picked up within
            three days", "tomorrow morning") are counted in it.
        currency: The ISO 4217 code its prices are normally in, e.g. ``CNY``.

    Raises:
        ValueError: ``timezone`` is not an IANA time zone name.

    """

    id: int
    slug: str
    name: str
    timezone: str = "UTC"
    currency: str = "CNY"

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{self.timezone!r} is not an IANA time zone name") from exc

    @property
    def zone(self) -> ZoneInfo:
        """The community's time zone."""
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        """``moment`` (timezone-aware) as the community's wall clock shows it."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"a moment must be timezone-aware, got {moment}")
        return moment.astimezone(self.zone)

    def today(self, now: datetime | None = None) -> date:
        """The community's local date at ``now`` (the current time when omitted)."""
        return self.local(now or datetime.now(UTC)).date()

    def start_of(self, day: date, at: time | None = None) -> datetime:
        """The moment (UTC) the community's wall clock shows ``at`` (midnight) on ``day``."""
        return datetime.combine(day, at or time(), tzinfo=self.zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes a call, as the core authenticated them.

    Attributes:
        member_id: The member's id in this community, or ``None`` for a service caller.
        roles: The roles the caller holds in this community (always includes ``member``).
        scopes: The scopes of the caller's token; ``*`` stands for all scopes.
        client_id: The OAuth client id of a provider's back end calling with client
            credentials (its calls carry ``provider_staff`` and no member id), else ``None``.
            A module that keeps its own register of back ends (couriers, billers) knows the
            caller by it.

    """

    member_id: int | None
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.MEMBER}))
    scopes: frozenset[str] = field(default_factory=lambda: frozenset({"*"}))
    client_id: str | None = None

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

    @property
    def today(self) -> date:
        """The community's local date when the call started (``now`` in its time zone)."""
        return self.community.today(self.now)
