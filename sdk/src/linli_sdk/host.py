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
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from ._host_values import (
    CHARGE_CAPTURED,
    CHARGE_FAILED,
    CHARGE_PAID_OUT,
    CHARGE_REFUNDED,
    JSON,
    Charge,
    ChargeStatus,
    CreditStanding,
    Deadline,
    Event,
    GoodsLine,
    GoodsOrder,
    JobRequest,
    JobTicket,
    MemberView,
    Refund,
    Upload,
)
from .context import Community
from .emergency import EmergencyState
from .money import Money
from .network import PickupPoints
from .notifications import Notifications
from .operations import Document
from .purchases import Purchases
from .roles import Role
from .vault import Vault

__all__ = [
    "CHARGE_CAPTURED",
    "CHARGE_FAILED",
    "CHARGE_PAID_OUT",
    "CHARGE_REFUNDED",
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

    async def get(self, charge_id: str) -> Charge:
        """Read one of this module's charges back as the ledger has it now.

        Its status, amount, parts, refunded total and :attr:`~Charge.remaining` (what a refund
        may still take). Changes nothing, so a module need not charge again to learn a status.

        Raises:
            NotFound: No such charge of this module in this community.

        """
        ...

    async def hold_deposit(
        self,
        *,
        order_ref: str,
        amount: Money,
        payer_id: int,
        payees: Mapping[str, int],
        expires_at: datetime,
    ) -> Charge:
        """Hold a deposit (押金) on the payer's method until ``expires_at``; nothing is taken.

        An authorisation like ``charge(capture=False)``, but split by the manifest's
        ``deposit_rules`` if captured, and voided by the platform once ``expires_at`` passes
        uncaptured. End it explicitly with :meth:`void` (returned intact) or :meth:`capture`
        (kept, e.g. for damage). Holding the same ``order_ref`` again returns the first.

        Raises:
            InvalidInput: No ``deposit_rules`` declared, a missing payee, a non-positive amount,
                or ``expires_at`` not in the future.

        """
        ...

    async def capture(self, charge_id: str) -> Charge:
        """Take an authorised charge (or a deposit) and split it.

        Raises:
            Conflict: The charge was voided, failed, or is a deposit past its expiry.

        """
        ...

    async def void(self, charge_id: str) -> Charge:
        """Release an authorised charge or a deposit; nothing is taken."""
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
    """The dispatch engine: jobs to workers, followed and finished by the module that asked."""

    async def submit(self, job: JobRequest) -> JobTicket:
        """Ask for a worker for ``job``; the same ``ref`` returns the same ticket."""
        ...

    async def get(self, job_id: str) -> JobTicket:
        """Read one of this module's jobs as dispatch has it now: status, worker, times.

        ``worker_member_id`` tells which member holds the job, so a module can show a worker
        only their own jobs. Changes nothing.

        Raises:
            NotFound: No such job of this module in this community.

        """
        ...

    async def complete(self, job_id: str, at: datetime | None = None) -> JobTicket:
        """The job's worker finished it at ``at`` (now if ``None``); dispatch records it.

        The platform judges it on time if ``at`` is by the job's window's end; the job then
        counts in its worker's on-time rate and residents may rate it. Completing a completed
        job changes nothing and returns it as it was first completed.

        Raises:
            NotFound: No such job of this module in this community.
            Conflict: No worker has accepted the job (it is ``pending`` or ``offered``).
            InvalidInput: ``at`` is not timezone-aware or is in the future.

        """
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
    Any object with these attributes (plain attributes or properties) and a
    :meth:`transaction` method is a host.
    """

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """A nested transaction inside the call's unit of work: try a part, undo just that part.

        ``async with host.transaction():`` runs its block in a savepoint. If the block raises,
        the module's own rows written in it and what it asked of the host in it (charges,
        refunds, events, deadlines, credit events, jobs, notifications) are undone, and the
        exception propagates: catch it around the block to carry on with the rest of the call.
        If the block completes, its writes stay part of the call and commit (or roll back) with
        it. Blocks nest. Outside any transaction (a stream, a lifecycle hook) the block is a
        transaction of its own, committed when it ends.
        """
        ...

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

    @property
    def pickup_points(self) -> PickupPoints:
        """The community's pickup points, each with its pickup host and leader."""
        ...

    @property
    def emergency(self) -> EmergencyState:
        """The community's emergencies: whether one is in force now (应急响应)."""
        ...

    @property
    def vault(self) -> Vault:
        """Sealing sensitive personal information with the platform's data keys."""
        ...

    @property
    def purchases(self) -> Purchases:
        """Report what residents bought or booked (kept as minimal, erasable facts)."""
        ...

    @property
    def notifications(self) -> Notifications:
        """Notifications to members, through the community's channels, after the call commits."""
        ...
