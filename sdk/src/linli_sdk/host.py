"""The host: the ports through which a plugin asks the platform for everything it cannot do alone.

Plugins never move money, never write another module's data and never call outside systems
themselves: they ask the host. The host a plugin receives (``ctx.host`` in an operation, the
``host`` argument of a hook) is bound to one community and one module, so a plugin cannot reach
another community by mistake.

The core implements these ports; :mod:`linli_sdk.testing` implements them in memory. A port the
running platform cannot provide yet raises :class:`~linli_sdk.errors.CapabilityUnavailable`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from .context import Community
from .money import Money
from .operations import Document
from .roles import Role

__all__ = [
    "CHARGE_FAILED",
    "Charge",
    "ChargeStatus",
    "Credit",
    "CreditStanding",
    "Deadline",
    "Deadlines",
    "Dispatch",
    "Event",
    "Events",
    "Files",
    "GoodsLine",
    "GoodsOrder",
    "Host",
    "JobRequest",
    "JobTicket",
    "MemberView",
    "Members",
    "Payments",
    "Refund",
    "Upload",
]

JSON = Any


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChargeStatus(StrEnum):
    """Where a charge is in its life."""

    PENDING = "pending"
    """Recorded, but the gateway has not confirmed it yet (inside the operation that charged,
    the gateway is only called after the operation commits)."""
    AUTHORIZED = "authorized"
    """The money is held on the payer's method, not yet taken."""
    CAPTURED = "captured"
    """The money is taken and split between the parties."""
    VOIDED = "voided"
    """The authorisation was released; nothing was taken."""
    REFUNDED = "refunded"
    """Everything captured has been refunded."""
    FAILED = "failed"
    """The gateway refused the charge (a declined card, an authorisation it would not capture):
    nothing was taken and nothing is held. Final: the module that charged is told by the event
    ``settlement.charge_failed`` (see :data:`CHARGE_FAILED`). Charging the same ``order_ref``
    again returns this charge, so a new attempt needs a new order reference."""


CHARGE_FAILED = "settlement.charge_failed"
"""The type of the event delivered to ``linli_event`` when the gateway refuses a charge.

Its ``payload`` holds ``charge_id``, ``order_ref``, ``module`` (the module that charged; only
that module receives it), ``amount`` (a :class:`~linli_sdk.Money` as JSON) and ``reason`` (the
gateway's decline code, e.g. ``card_declined``). The charge's status is then ``failed``.
Delivered at least once, like every event: a repeat carries the same ``event.id``.
"""


class Charge(_Value):
    """A charge for one order, as the settlement core recorded it.

    Attributes:
        id: The charge id (use it to capture, void or refund).
        order_ref: The plugin's own reference for the order.
        amount: The amount charged.
        status: Where the charge is in its life.
        parts: What each revenue-share party holds of it now.
        refunded: How much has been refunded so far.
        released: Whether :meth:`Payments.release` was called for it (a module whose
            :class:`~linli_sdk.PayoutHold` is ``until_released`` pays its shares out only then).

    """

    id: str
    order_ref: str
    amount: Money
    status: ChargeStatus
    parts: dict[str, Money]
    refunded: Money
    released: bool = False


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
    """What a plugin may see of a member: the minimal, masked view, plus granted fields.

    ``phone``, ``unit`` and ``national_id`` stay ``None`` unless the module's manifest declares
    the matching member scope (``members.phone``, ``members.unit``, ``members.national_id``)
    and an operator granted it to the module for this community. Every view carrying a
    ``national_id`` is recorded in the member's identity audit log with the module and purpose.

    Attributes:
        id: The member id.
        display_name: The name the member shows to neighbours.
        roles: The member's roles in this community.
        verified: Whether the member is a verified resident (may buy and book).
        phone_masked: The phone number masked as ``138****1234``, if any.
        phone: The full phone number (scope ``members.phone``), else ``None``.
        unit: The member's unit as ``building-room`` (scope ``members.unit``), else ``None``.
        national_id: The resident ID number (scope ``members.national_id``), else ``None``.
        real_name: Whether an ID number is on file with the member's consent (实名).

    """

    id: int
    display_name: str
    roles: frozenset[Role]
    verified: bool
    phone_masked: str | None = None
    phone: str | None = None
    unit: str | None = None
    national_id: str | None = None
    real_name: bool = False


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


class GoodsLine(_Value):
    """So many of one item in a goods order.

    Attributes:
        sku: The item's code.
        name: The item's name, as printed.
        quantity: How many (at least one).

    """

    sku: str
    name: str
    quantity: int = Field(ge=1)


class GoodsOrder(_Value):
    """A confirmed order travelling to a pickup point (自提点), for pick lists and manifests.

    Attributes:
        ref: The plugin's own reference for the order.
        member: The name to print for whoever collects it (masked).
        pickup_point: The pickup point it goes to.
        lines: What it holds.

    """

    ref: str
    member: str
    pickup_point: str
    lines: tuple[GoodsLine, ...] = Field(min_length=1)


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


class Upload(_Value):
    """A file a caller sent with an operation, kept by the host's file store.

    Declare a field of this type in an operation's input (an after-sale photo): the core then
    takes that operation as ``multipart/form-data``, keeps the file part of that name in its
    file store and hands the handler this reference; read the bytes with
    ``ctx.host.files.read(upload.id)``. An upload cannot be named in a JSON body, so a caller
    can only refer to a file it sent itself.

    Attributes:
        id: The file store's id for the content (the same bytes give the same id).
        filename: The name the caller gave it.
        media_type: Its media type, e.g. ``image/jpeg``.
        size: Its size in bytes.

    """

    id: str
    filename: str
    media_type: str
    size: int = Field(ge=0)


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

    async def release(self, charge_id: str) -> Charge:
        """Release the charge's held shares for payout, e.g. when a pickup is verified (核销).

        A module whose manifest declares ``PayoutHold(until_released=True)`` has its parties'
        shares paid out only after this call (and after ``days`` more, if it declares them).
        Idempotent: releasing again changes nothing and returns the charge. A refund after
        the release is still possible; it claws back what was paid out.
        """
        ...


class CreditStanding(_Value):
    """A member's community credit as the gates read it (社区信用).

    Attributes:
        score: The member's score now (the platform's model: a base, decayed weights, caps).
        tier: The tier the score falls in, e.g. ``"trusted"``, ``"standard"``, ``"restricted"``.
        pay_after_service: Whether the member may book now and pay after the service.
        deposits_waived: Whether deposits are waived for the member.
        suspended: Whether the member (or the provider they work for) is suspended.

    """

    score: int
    tier: str
    pay_after_service: bool
    deposits_waived: bool
    suspended: bool


class Credit(Protocol):
    """Community credit: plugins report what members and providers did, and read the gates."""

    async def emit(self, *, member_id: int, event: str, weight: int, event_id: str) -> None:
        """Record a credit event the module declared; outside its bounds is refused.

        ``event_id`` makes it idempotent.
        """
        ...

    async def standing(self, member_id: int) -> CreditStanding:
        """The member's standing in this community: score, tier and the gates it opens.

        A member with no events stands at the model's base score.
        """
        ...


class Dispatch(Protocol):
    """The dispatch engine: jobs to workers."""

    async def submit(self, job: JobRequest) -> JobTicket:
        """Ask for a worker for ``job``; the same ``ref`` returns the same ticket."""
        ...

    async def goods_documents(
        self,
        kind: str,
        orders: Sequence[GoodsOrder],
        *,
        format: str = "pdf",
        grid_of: Mapping[str, str] | None = None,
        truck_capacity: int = 1000,
    ) -> Document:
        """Route confirmed orders through the three-tier network and print the result.

        ``kind`` is ``pick-lists`` (one per pickup point), ``grid-manifests`` (per grid
        warehouse, from ``grid_of``: pickup point -> grid warehouse) or ``truck-runs`` (runs of
        at most ``truck_capacity`` items); ``format`` is ``pdf`` or ``csv``. Changes nothing.
        """
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

    async def get(self, member_id: int, purpose: str = "") -> MemberView | None:
        """Return the member with this id in this community, or ``None``.

        The view carries the personal fields the module was granted (see :class:`MemberView`);
        ``purpose`` says why it is read (e.g. ``"verify appointment 42"``) and is recorded with
        every view of an ID number.
        """
        ...

    async def with_role(self, role: Role) -> list[int]:
        """The ids of this community's members who hold ``role``, oldest first."""
        ...


class Files(Protocol):
    """The host's file store: files callers uploaded to this module in this community."""

    async def save(self, *, filename: str, media_type: str, content: bytes) -> Upload:
        """Keep ``content`` and return its reference (the same bytes give the same id)."""
        ...

    async def read(self, upload_id: str) -> bytes:
        """Return the content of an upload of this module in this community.

        Raises:
            NotFound: There is no such upload here.

        """
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

    @property
    def files(self) -> Files:
        """The file store: uploads sent with this module's operations."""
        ...
