"""The value types the host ports take and return: charges, refunds, members, jobs, events, files.

Public through :mod:`linli_sdk.host` (and the package root); frozen pydantic models, so a plugin
cannot change what the host recorded.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .money import Money
from .roles import Role

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


CHARGE_CAPTURED = "settlement.charge_captured"
"""The type of the event delivered to ``linli_event`` when a charge's money is taken.

Sent once the gateway confirmed the capture (of a charge, an authorisation or a deposit) and
the split was posted. ``payload``: ``charge_id``, ``order_ref``, ``module`` (only that module
receives it) and ``amount``. Delivered at least once: a repeat carries the same ``event.id``.
"""

CHARGE_REFUNDED = "settlement.charge_refunded"
"""The type of the event delivered to ``linli_event`` when the gateway paid a refund back.

``payload``: ``charge_id``, ``order_ref``, ``module``, ``amount`` (this refund) and ``ref``
(the refund's ``ref``). One per refund; read the charge's totals with
:meth:`~linli_sdk.Payments.get`.
"""

CHARGE_PAID_OUT = "settlement.charge_paid_out"
"""The type of the event delivered to ``linli_event`` when a party's share of a charge was paid.

Sent when a payout transfer that includes the share reached the payee's account, once per
charge and paid party. ``payload``: ``charge_id``, ``order_ref``, ``module``, ``party`` (e.g.
``provider``), ``payee_id`` (the member paid) and ``amount`` (the share paid, net of refunds
and of the fee the party bears).
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
        deposit: Whether it is a deposit (:meth:`Payments.hold_deposit`), split by the
            manifest's ``deposit_rules`` when captured.
        expires_at: When an uncaptured deposit is voided by the platform (``None`` for a
            charge that is not a deposit).

    """

    id: str
    order_ref: str
    amount: Money
    status: ChargeStatus
    parts: dict[str, Money]
    refunded: Money
    released: bool = False
    deposit: bool = False
    expires_at: datetime | None = None

    @property
    def remaining(self) -> Money:
        """What can still be refunded: the captured amount less the refunds (zero if none)."""
        if self.status not in (ChargeStatus.CAPTURED, ChargeStatus.REFUNDED):
            return Money.zero(self.amount.currency)
        return self.amount - self.refunded


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
    """Dispatch's receipt for a job: its id, where it is, who holds it and when it was done.

    ``status`` is ``pending`` (no worker fits yet), ``offered`` (to a worker, who has not
    answered), ``accepted`` (the worker took it) or ``completed``.

    Attributes:
        id: Dispatch's id of the job (what ``host.dispatch.get`` and ``complete`` take).
        ref: The module's own reference the job was submitted with.
        status: ``pending``, ``offered``, ``accepted`` or ``completed``.
        worker_member_id: The member the job's worker is (offered, accepted or completed), or
            ``None`` while nobody holds it or for a worker who is no member here.
        offered_at: When it was last offered to a worker.
        completed_at: When the worker finished it.
        on_time: Whether it was finished by its window's end (``None`` until completed).

    """

    id: str
    ref: str
    status: str
    worker_member_id: int | None = None
    offered_at: datetime | None = None
    completed_at: datetime | None = None
    on_time: bool | None = None


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
