"""The host: the ports through which a plugin asks the platform for everything it cannot do alone.

Plugins never move money, never write another module's data and never call outside systems
themselves: they ask the host. The host a plugin receives (``ctx.host`` in an operation, the
``host`` argument of a hook) is bound to one community and one module, so a plugin cannot reach
another community by mistake.

The core implements these ports; :mod:`linli_sdk.testing` implements them in memory. A port the
running platform cannot provide yet raises :class:`~linli_sdk.errors.CapabilityUnavailable`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from .context import Community
from .money import Money
from .roles import Role

__all__ = [
    "Charge",
    "ChargeStatus",
    "Credit",
    "Deadline",
    "Deadlines",
    "Dispatch",
    "Event",
    "Events",
    "Host",
    "JobRequest",
    "JobTicket",
    "MemberView",
    "Members",
    "Payments",
    "Refund",
]

JSON = Any


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChargeStatus(StrEnum):
    """Where a charge is in its life."""

    AUTHORIZED = "authorized"
    """The money is held on the payer's method, not yet taken."""
    CAPTURED = "captured"
    """The money is taken and split between the parties."""
    VOIDED = "voided"
    """The authorisation was released; nothing was taken."""
    REFUNDED = "refunded"
    """Everything captured has been refunded."""


class Charge(_Value):
    """A charge for one order, as the settlement core recorded it.

    Attributes:
        id: The charge id (use it to capture, void or refund).
        order_ref: The plugin's own reference for the order.
        amount: The amount charged.
        status: Where the charge is in its life.
        parts: What each revenue-share party holds of it now.
        refunded: How much has been refunded so far.

    """

    id: str
    order_ref: str
    amount: Money
    status: ChargeStatus
    parts: dict[str, Money]
    refunded: Money


class Refund(_Value):
    """One refund of a charge.

    Attributes:
        id: The refund id.
        charge_id: The charge it refunds.
        amount: The amount refunded.
        parts: What it took back from each party.
        reason: Why, as the plugin said.

    """

    id: str
    charge_id: str
    amount: Money
    parts: dict[str, Money]
    reason: str


class MemberView(_Value):
    """What a plugin may see of a member: the minimal, masked view.

    Attributes:
        id: The member id.
        display_name: The name the member shows to neighbours.
        roles: The member's roles in this community.
        verified: Whether the member is a verified resident (may buy and book).
        phone_masked: The phone number masked as ``138****1234``, if any.

    """

    id: int
    display_name: str
    roles: frozenset[Role]
    verified: bool
    phone_masked: str | None = None


class JobRequest(_Value):
    """A job a plugin asks dispatch to give to a worker.

    Attributes:
        ref: The plugin's own reference (one job per ref).
        skills: Skills a worker needs, e.g. ``{"cleaning"}``.
        window_start: Earliest start.
        window_end: Latest end.
        duration: How long the job takes.

    """

    ref: str
    skills: frozenset[str] = frozenset()
    window_start: datetime
    window_end: datetime
    duration: timedelta


class JobTicket(_Value):
    """Dispatch's receipt for a job: its id and current state."""

    id: str
    ref: str
    status: str


class Deadline(_Value):
    """A moment a plugin asked to be woken at, with what it wants to know then.

    Attributes:
        key: The plugin's key; scheduling the same key again moves the deadline.
        due: When it is due (UTC).
        payload: JSON data handed back when it fires.

    """

    key: str
    due: datetime
    payload: dict[str, JSON] = Field(default_factory=dict)


class Event(_Value):
    """A domain event: something that happened, delivered after its cause committed.

    Attributes:
        id: Unique id; deliveries of the same event carry the same id.
        type: Dotted type, e.g. ``noticeboard.notice_posted`` or ``member.verified``.
        community: Where it happened.
        module: The module that published it, or ``None`` for the core.
        occurred: When it happened (UTC).
        payload: JSON data describing it.

    """

    id: str
    type: str
    community: str
    module: str | None
    occurred: datetime
    payload: dict[str, JSON] = Field(default_factory=dict)


class Payments(Protocol):
    """Charges, captures, voids and refunds, split by the module's revenue-share rules."""

    async def charge(
        self,
        *,
        order_ref: str,
        amount: Money,
        payer_id: int,
        payees: Mapping[str, int],
        capture: bool = True,
    ) -> Charge:
        """Charge ``payer_id`` for an order; ``capture=False`` only authorises.

        ``payees`` names who each revenue-share party is (e.g. ``{"leader": 12}``). Charging the
        same ``order_ref`` twice returns the first charge.
        """
        ...

    async def capture(self, charge_id: str) -> Charge:
        """Take an authorised charge and split it."""
        ...

    async def void(self, charge_id: str) -> Charge:
        """Release an authorised charge; nothing is taken."""
        ...

    async def refund(self, charge_id: str, amount: Money, *, reason: str, ref: str) -> Refund:
        """Refund part or all of a captured charge, pro rata to what each party holds.

        ``ref`` makes the refund idempotent: the same ``ref`` returns the first refund.
        """
        ...


class Credit(Protocol):
    """Community credit: plugins report what members and providers did."""

    async def emit(self, *, member_id: int, event: str, weight: int, event_id: str) -> None:
        """Record a credit event the module declared; outside its bounds is refused.

        ``event_id`` makes it idempotent.
        """
        ...


class Dispatch(Protocol):
    """The dispatch engine: jobs to workers."""

    async def submit(self, job: JobRequest) -> JobTicket:
        """Ask for a worker for ``job``; the same ``ref`` returns the same ticket."""
        ...


class Deadlines(Protocol):
    """Durable deadlines: the host calls ``linli_deadline_reached`` when one is due."""

    async def schedule(self, key: str, due: datetime, payload: Mapping[str, JSON]) -> Deadline:
        """Schedule (or move) the deadline ``key``."""
        ...

    async def cancel(self, key: str) -> bool:
        """Cancel the deadline ``key``; ``False`` if there was none pending."""
        ...


class Events(Protocol):
    """Domain events, delivered to hooks and subscribers after the current call commits."""

    async def publish(self, type: str, payload: Mapping[str, JSON]) -> Event:
        """Publish an event of ``type`` (it is prefixed with the module's name)."""
        ...


class Members(Protocol):
    """Member look-up: the minimal, masked view of the members of this community."""

    async def get(self, member_id: int) -> MemberView | None:
        """Return the member with this id in this community, or ``None``."""
        ...


class Host(Protocol):
    """The platform as one plugin sees it, bound to one community and one module.

    Every member is read-only: a plugin uses the ports it is given and cannot rebind them.
    Any object with these attributes (plain attributes or properties) is a host.
    """

    @property
    def community(self) -> Community:
        """The community this host is bound to."""
        ...

    @property
    def module(self) -> str:
        """The module this host is bound to."""
        ...

    @property
    def payments(self) -> Payments:
        """Charges, captures, voids and refunds, split by the module's revenue-share rules."""
        ...

    @property
    def credit(self) -> Credit:
        """Community credit events the module declared."""
        ...

    @property
    def dispatch(self) -> Dispatch:
        """The dispatch engine."""
        ...

    @property
    def deadlines(self) -> Deadlines:
        """Durable deadlines, reported through ``linli_deadline_reached``."""
        ...

    @property
    def events(self) -> Events:
        """Domain events, delivered after the current call commits."""
        ...

    @property
    def members(self) -> Members:
        """The minimal, masked view of the community's members."""
        ...
