"""The test kit: run a plugin's operations and hooks against an in-memory host, no platform needed.

Installed as a pytest plugin (entry point ``pytest11``), it gives every test the ``linli_kit``
fixture::

    async def test_post(linli_kit):
        kit = linli_kit(my_plugin)
        leader = kit.add_member("Wang", Role.LEADER)
        notice = await kit.call("post-notice", {"title": "Water off"}, as_=leader)

The in-memory host splits charges by the plugin's declared revenue-share rules, refuses credit
events outside their declared bounds, keeps deadlines on a clock the test moves, records
published events, and shows members' personal fields only for member scopes the manifest
declares and the test granted (``linli_kit(plugin, granted_scopes={"members.unit"})`` or
:meth:`PluginKit.grant`), exactly as the platform's contract says. Like the platform, the kit
runs each operation (and each deadline) as one unit: if it raises, what it asked of the host
(charges, refunds, credit events, jobs, deadlines, events, ID number views) is discarded, and a
deadline whose hook raised stays pending to be retried.
"""

from __future__ import annotations

import hashlib
import inspect
import itertools
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pluggy
import pytest
from pydantic import BaseModel

from . import hookspecs
from .context import Caller, Community, Context
from .documents import csv_document
from .errors import CapabilityUnavailable, Conflict, Forbidden, InvalidInput, NotFound
from .host import (
    CHARGE_FAILED,
    Charge,
    ChargeStatus,
    CreditStanding,
    Deadline,
    Event,
    GoodsOrder,
    JobRequest,
    JobTicket,
    MemberView,
    Refund,
    Upload,
)
from .manifest import Manifest
from .money import Money
from .operations import Document, Operation
from .revenue_share import RevenueShareRules, split
from .revenue_share import refund as allocate_refund
from .roles import Role

__all__ = ["InMemoryHost", "PluginKit", "linli_kit", "load_manifest"]

_MAX_ROUNDS = 1000
"""How many rounds of events (or due deadlines) one delivery runs before it gives up."""


def load_manifest(plugin: object) -> Manifest:
    """Return the manifest a plugin object (module or instance) declares as its ``manifest``."""
    manifest = getattr(plugin, "manifest", None)
    if not isinstance(manifest, Manifest):
        raise TypeError(f"{plugin!r} has no 'manifest' attribute of type linli_sdk.Manifest")
    return manifest


class _Payments:
    def __init__(self, manifest: Manifest, clock: Callable[[], datetime]) -> None:
        self._manifest = manifest
        self._now = clock
        self.charges: dict[str, Charge] = {}
        self.refunds: dict[str, Refund] = {}
        self.captured_at: dict[str, datetime] = {}
        self.released_at: dict[str, datetime] = {}
        self.declines: list[str] = []
        self.refused: list[tuple[str, str]] = []
        self._ids = itertools.count(1)

    def decline_next(self, reason: str = "card_declined") -> None:
        """Make the gateway refuse the next charge, as a declined card does on the platform.

        Inside the unit of work that charges, the charge is ``pending``; once that unit has
        returned, the charge is ``failed`` and the kit delivers the event
        ``settlement.charge_failed`` (:data:`~linli_sdk.CHARGE_FAILED`) to ``linli_event``
        with ``reason`` — what the platform does once the gateway answers after the commit.
        Call it again to refuse more charges, one each.
        """
        self.declines.append(reason)

    def _rules(self) -> RevenueShareRules:
        if self._manifest.revenue_share is None:
            raise InvalidInput(f"module {self._manifest.name} declares no revenue-share rules")
        return self._manifest.revenue_share

    async def charge(
        self,
        *,
        order_ref: str,
        amount: Money,
        payer_id: int,
        payees: Mapping[str, int],
        capture: bool = True,
    ) -> Charge:
        for existing in self.charges.values():
            if existing.order_ref == order_ref:
                return existing
        parts = split(self._rules(), amount)  # refuses a negative remainder up front
        if self.declines:  # the gateway will refuse it once the unit of work has returned
            refused = Charge(
                id=f"ch_{next(self._ids)}",
                order_ref=order_ref,
                amount=amount,
                status=ChargeStatus.PENDING,
                parts={},
                refunded=Money.zero(amount.currency),
            )
            self.charges[refused.id] = refused
            self.refused.append((refused.id, self.declines.pop(0)))
            return refused
        charge = Charge(
            id=f"ch_{next(self._ids)}",
            order_ref=order_ref,
            amount=amount,
            status=ChargeStatus.CAPTURED if capture else ChargeStatus.AUTHORIZED,
            parts=parts if capture else {},
            refunded=Money.zero(amount.currency),
        )
        self.charges[charge.id] = charge
        if capture:
            self.captured_at[charge.id] = self._now()
        return charge

    def _get(self, charge_id: str) -> Charge:
        if charge_id not in self.charges:
            raise NotFound(f"no charge {charge_id}")
        return self.charges[charge_id]

    async def capture(self, charge_id: str) -> Charge:
        charge = self._get(charge_id)
        if charge.status is ChargeStatus.CAPTURED:
            return charge
        if charge.status is not ChargeStatus.AUTHORIZED:
            raise Conflict(f"charge {charge_id} is {charge.status}, cannot capture")
        parts = split(self._rules(), charge.amount)
        updated = charge.model_copy(update={"status": ChargeStatus.CAPTURED, "parts": parts})
        self.charges[charge_id] = updated
        self.captured_at[charge_id] = self._now()
        return updated

    async def release(self, charge_id: str) -> Charge:
        charge = self._get(charge_id)
        self.released_at.setdefault(charge_id, self._now())
        updated = charge.model_copy(update={"released": True})
        self.charges[charge_id] = updated
        return updated

    def payable(self, charge_id: str) -> bool:
        """Whether a payout batch run now would pay the charge's shares out.

        True once the charge is captured and past the manifest's ``payout_hold``: ``days``
        after the capture, or after the release when it holds ``until_released``.
        """
        charge = self._get(charge_id)
        if charge.status is not ChargeStatus.CAPTURED or charge_id not in self.captured_at:
            return False
        hold = self._manifest.payout_hold
        if hold is None:
            return True
        start = self.captured_at[charge_id]
        if hold.until_released:
            if charge_id not in self.released_at:
                return False
            start = self.released_at[charge_id]
        return self._now() >= start + timedelta(days=hold.days)

    async def void(self, charge_id: str) -> Charge:
        charge = self._get(charge_id)
        if charge.status in (ChargeStatus.VOIDED, ChargeStatus.FAILED):
            return charge  # nothing is held: nothing to release
        if charge.status is not ChargeStatus.AUTHORIZED:
            raise Conflict(f"charge {charge_id} is {charge.status}, cannot void")
        updated = charge.model_copy(update={"status": ChargeStatus.VOIDED})
        self.charges[charge_id] = updated
        return updated

    async def refund(self, charge_id: str, amount: Money, *, reason: str, ref: str) -> Refund:
        if ref in self.refunds:
            return self.refunds[ref]
        charge = self._get(charge_id)
        if charge.status not in (ChargeStatus.CAPTURED,):
            raise Conflict(f"charge {charge_id} is {charge.status}, cannot refund")
        taken = allocate_refund(charge.parts, amount)
        parts = {party: charge.parts[party] - taken[party] for party in charge.parts}
        refunded = charge.refunded + amount
        status = ChargeStatus.REFUNDED if refunded == charge.amount else charge.status
        self.charges[charge_id] = charge.model_copy(
            update={"parts": parts, "refunded": refunded, "status": status}
        )
        record = Refund(
            id=f"re_{len(self.refunds) + 1}",
            charge_id=charge_id,
            amount=amount,
            parts=taken,
            reason=reason,
        )
        self.refunds[ref] = record
        return record


BASE_STANDING = CreditStanding(
    score=600, tier="standard", pay_after_service=False, deposits_waived=False, suspended=False
)
"""The standing of a member the test gave none: the platform's default base score and gates."""


class _Credit:
    def __init__(self, manifest: Manifest) -> None:
        self._manifest = manifest
        self.events: dict[str, tuple[int, str, int]] = {}
        self.standings: dict[int, CreditStanding] = {}

    async def standing(self, member_id: int) -> CreditStanding:
        return self.standings.get(member_id, BASE_STANDING)

    async def emit(self, *, member_id: int, event: str, weight: int, event_id: str) -> None:
        spec = self._manifest.credit_event(event)
        if spec is None:
            raise InvalidInput(f"module {self._manifest.name} did not declare credit event {event}")
        if not spec.min_weight <= weight <= spec.max_weight:
            raise InvalidInput(
                f"{event}: weight {weight} is outside the declared "
                f"{spec.min_weight}..{spec.max_weight}"
            )
        self.events.setdefault(event_id, (member_id, event, weight))


class _Dispatch:
    def __init__(self) -> None:
        self.jobs: dict[str, tuple[JobRequest, JobTicket]] = {}
        self.goods: list[tuple[GoodsOrder, ...]] = []

    async def submit(self, job: JobRequest) -> JobTicket:
        if job.ref not in self.jobs:
            ticket = JobTicket(id=f"job_{len(self.jobs) + 1}", ref=job.ref, status="pending")
            self.jobs[job.ref] = (job, ticket)
        return self.jobs[job.ref][1]

    async def goods_documents(
        self,
        kind: str,
        orders: Sequence[GoodsOrder],
        *,
        format: str = "pdf",
        grid_of: Mapping[str, str] | None = None,
        truck_capacity: int = 1000,
    ) -> Document:
        # The kit prints pick lists as CSV (the platform also does manifests and PDF).
        if kind != "pick-lists" or format != "csv":
            raise CapabilityUnavailable(f"the kit prints pick-lists as csv, not {kind} as {format}")
        self.goods.append(tuple(orders))
        rows = [
            (order.pickup_point, order.ref, order.member, line.sku, line.name, line.quantity)
            for order in sorted(orders, key=lambda o: (o.pickup_point, o.ref))
            for line in order.lines
        ]
        header = ("pickup point", "order", "member", "sku", "item", "quantity")
        return csv_document([header, *rows], filename=f"{kind}.csv", bom=False)


class _Files:
    def __init__(self) -> None:
        self.files: dict[str, tuple[Upload, bytes]] = {}

    async def save(self, *, filename: str, media_type: str, content: bytes) -> Upload:
        upload = Upload(
            id="up_" + hashlib.sha256(content).hexdigest()[:32],
            filename=filename,
            media_type=media_type,
            size=len(content),
        )
        self.files.setdefault(upload.id, (upload, content))
        return upload

    async def read(self, upload_id: str) -> bytes:
        if upload_id not in self.files:
            raise NotFound(f"no upload {upload_id}")
        return self.files[upload_id][1]


class _Deadlines:
    def __init__(self) -> None:
        self.pending: dict[str, Deadline] = {}

    async def schedule(self, key: str, due: datetime, payload: Mapping[str, Any]) -> Deadline:
        if due.tzinfo is None or due.utcoffset() is None:
            raise InvalidInput(f"deadline {key!r}: 'due' must be timezone-aware (UTC), got {due}")
        deadline = Deadline(key=key, due=due, payload=dict(payload))
        self.pending[key] = deadline
        return deadline

    async def cancel(self, key: str) -> bool:
        return self.pending.pop(key, None) is not None


class _Events:
    def __init__(self, host: InMemoryHost) -> None:
        self._host = host
        self.published: list[Event] = []

    async def publish(self, type: str, payload: Mapping[str, Any]) -> Event:
        event = Event(
            id=str(uuid.uuid4()),
            type=f"{self._host.module}.{type}",
            community=self._host.community.slug,
            module=self._host.module,
            occurred=self._host.now(),
            payload=dict(payload),
        )
        self.published.append(event)
        return event


_SCOPED_FIELDS = {
    "members.phone": "phone",
    "members.unit": "unit",
    "members.national_id": "national_id",
}
"""Which :class:`MemberView` field each member scope fills."""


class _Members:
    def __init__(self, manifest: Manifest) -> None:
        self._manifest = manifest
        self.members: dict[int, MemberView] = {}
        self.granted: set[str] = set()
        self.national_id_views: list[tuple[int, str]] = []

    async def get(self, member_id: int, purpose: str = "") -> MemberView | None:
        record = self.members.get(member_id)
        if record is None:
            return None
        allowed = self._manifest.member_scopes & self.granted
        hidden = {field: None for scope, field in _SCOPED_FIELDS.items() if scope not in allowed}
        view = record.model_copy(update=hidden)
        if view.national_id is not None:
            self.national_id_views.append((member_id, purpose))
        return view

    async def with_role(self, role: Role) -> list[int]:
        return sorted(i for i, m in self.members.items() if role in m.roles)


class InMemoryHost:
    """A complete host kept in memory, bound to one community and one module.

    Its ports keep what they were asked in plain attributes a test can read:
    ``payments.charges``, ``payments.refunds``, ``payments.released_at`` (with
    ``payments.payable(charge_id)`` telling whether the payout hold is over;
    ``payments.decline_next()`` makes the gateway refuse the next charge), ``credit.events``,
    ``credit.standings`` (a member's :class:`~linli_sdk.CreditStanding`; others stand at
    ``BASE_STANDING``), ``dispatch.jobs``, ``dispatch.goods`` (the orders each
    ``goods_documents`` call printed), ``files.files`` (upload id -> reference and bytes),
    ``deadlines.pending``, ``events.published`` (with the platform's own events the kit
    delivered, such as ``settlement.charge_failed``, whose ``module`` is ``None``),
    ``members.members`` (every member's full
    record), ``members.granted`` (the member scopes granted) and ``members.national_id_views``
    (``(member id, purpose)`` for each view that carried an ID number, as the audit log has it).
    """

    def __init__(self, manifest: Manifest, community: Community, clock: Callable[[], datetime]):
        self.community = community
        self.module = manifest.name
        self.now = clock
        self.payments = _Payments(manifest, clock)
        self.credit = _Credit(manifest)
        self.dispatch = _Dispatch()
        self.deadlines = _Deadlines()
        self.events = _Events(self)
        self.members = _Members(manifest)
        self.files = _Files()

    def _snapshot(self) -> tuple[dict[Any, Any] | list[Any], ...]:
        """Copy what the plugin can change, to undo a unit of work that raised."""
        return tuple(
            container.copy()
            for container in (
                self.payments.charges,
                self.payments.refunds,
                self.payments.captured_at,
                self.payments.released_at,
                self.payments.declines,
                self.payments.refused,
                self.credit.events,
                self.dispatch.jobs,
                self.deadlines.pending,
                self.events.published,
                self.members.national_id_views,
            )
        )

    def _restore(self, snapshot: tuple[dict[Any, Any] | list[Any], ...]) -> None:
        """Put back what :meth:`_snapshot` copied (in place, so references stay valid)."""
        containers: tuple[dict[Any, Any] | list[Any], ...] = (
            self.payments.charges,
            self.payments.refunds,
            self.payments.captured_at,
            self.payments.released_at,
            self.payments.declines,
            self.payments.refused,
            self.credit.events,
            self.dispatch.jobs,
            self.deadlines.pending,
            self.events.published,
            self.members.national_id_views,
        )
        for container, saved in zip(containers, snapshot, strict=True):
            container.clear()
            if isinstance(container, dict) and isinstance(saved, dict):
                container.update(saved)
            elif isinstance(container, list) and isinstance(saved, list):
                container.extend(saved)


class PluginKit:
    """Drives one plugin like the platform does: operations, hooks, deadlines and events.

    Args:
        plugin: The plugin object (the module your entry point names).
        community: The community calls happen in.
        now: The kit's clock starts here (UTC); move it with :meth:`advance`.
        granted_scopes: Member scopes the operator granted the module in this community (each
            must be declared in the manifest's ``member_scopes``); see :meth:`grant`.

    """

    def __init__(
        self,
        plugin: object,
        *,
        community: Community | None = None,
        now: datetime | None = None,
        granted_scopes: Iterable[str] = (),
    ) -> None:
        self.plugin = plugin
        self.manifest = load_manifest(plugin)
        self.community = community or Community(id=1, slug="test-community", name="Test")
        if now is not None and (now.tzinfo is None or now.utcoffset() is None):
            raise ValueError(f"the kit's clock must be timezone-aware (UTC), got {now}")
        self.clock = now or datetime(2026, 1, 1, tzinfo=UTC)
        self.host = InMemoryHost(self.manifest, self.community, lambda: self.clock)
        self.settings: BaseModel = self.manifest.settings()
        self._delivered = 0
        self._ids = itertools.count(1)
        self._pm = pluggy.PluginManager(hookspecs.NAME)
        self._pm.add_hookspecs(hookspecs)
        self._pm.register(plugin, name=self.manifest.name)
        self._pm.check_pending()
        self.grant(*granted_scopes)

    def grant(self, *scopes: str) -> None:
        """Grant member scopes to the module, as an operator does for a community.

        Raises:
            InvalidInput: a scope the manifest's ``member_scopes`` does not declare.

        """
        undeclared = sorted(set(scopes) - self.manifest.member_scopes)
        if undeclared:
            raise InvalidInput(
                f"module {self.manifest.name} does not declare the member scopes "
                f"{', '.join(undeclared)}"
            )
        self.host.members.granted.update(scopes)

    def revoke(self, *scopes: str) -> None:
        """Withdraw member scopes granted with :meth:`grant`."""
        self.host.members.granted.difference_update(scopes)

    def add_member(
        self,
        display_name: str,
        *roles: Role,
        verified: bool = True,
        phone_masked: str | None = None,
        phone: str | None = None,
        unit: str | None = None,
        national_id: str | None = None,
        real_name: bool | None = None,
    ) -> MemberView:
        """Add a member to the community with ``roles`` (``member`` is implied).

        ``phone``, ``unit`` and ``national_id`` are the member's full record; the module sees
        each only when it declares and was granted the matching scope. ``phone_masked`` is
        derived from ``phone`` unless given; ``real_name`` is true when a ``national_id`` is.
        Returns the full record (what the host returns is filtered by the grants).
        """
        member = MemberView(
            id=next(self._ids),
            display_name=display_name,
            roles=frozenset({Role.MEMBER, *roles}),
            verified=verified,
            phone_masked=phone_masked or (phone and f"{phone[:3]}****{phone[-4:]}"),
            phone=phone,
            unit=unit,
            national_id=national_id,
            real_name=national_id is not None if real_name is None else real_name,
        )
        self.host.members.members[member.id] = member
        return member

    async def upload(
        self, content: bytes, *, filename: str = "photo.jpg", media_type: str = "image/jpeg"
    ) -> Upload:
        """Keep a file as a caller's multipart upload would; pass the result as an input field."""
        return await self.host.files.save(filename=filename, media_type=media_type, content=content)

    async def _fire(self, hook: str, **kwargs: Any) -> None:
        for result in getattr(self._pm.hook, hook)(host=self.host, **kwargs):
            if inspect.isawaitable(result):
                await result

    @asynccontextmanager
    async def _atomic(self) -> AsyncIterator[None]:
        """Run a unit of work: if it raises, undo what it asked of the host, then re-raise."""
        snapshot = self.host._snapshot()
        try:
            yield
        except BaseException:
            self.host._restore(snapshot)
            self._delivered = min(self._delivered, len(self.host.events.published))
            raise

    async def enable(self, settings: Mapping[str, Any] | None = None) -> BaseModel:
        """Enable the module with ``settings`` (validated) and fire ``linli_module_enabled``.

        Raises:
            pydantic.ValidationError: ``settings`` do not fit the module's settings model; the
                settings in force stay as they were.

        """
        self.settings = self.manifest.settings.model_validate(dict(settings or {}))
        await self._fire("linli_module_enabled", settings=self.settings)
        await self.deliver_events()
        return self.settings

    async def disable(self) -> None:
        """Fire ``linli_module_disabled``."""
        await self._fire("linli_module_disabled")
        await self.deliver_events()

    async def seed_demo(self) -> None:
        """Fire ``linli_seed_demo`` as ``linli demo`` does."""
        await self._fire("linli_seed_demo")
        await self.deliver_events()

    def _prepare(
        self,
        operation: str,
        data: Mapping[str, Any] | BaseModel | None,
        as_: MemberView | Caller,
        idempotency_key: str | None,
    ) -> tuple[Operation, Context[BaseModel], BaseModel]:
        op = self.manifest.operation(operation)
        if op is None:
            raise NotFound(f"module {self.manifest.name} has no operation {operation}")
        caller = as_ if isinstance(as_, Caller) else Caller(member_id=as_.id, roles=as_.roles)
        if not caller.has_role(*op.roles):
            wanted = ", ".join(sorted(op.roles))
            raise Forbidden(f"{operation} requires one of the roles: {wanted}")
        if not caller.has_scope(op.scope):
            raise Forbidden(f"{operation} requires the scope {op.scope!r}")
        if isinstance(data, op.input):
            payload = data
        elif isinstance(data, BaseModel):
            payload = op.input.model_validate(data.model_dump())
        else:
            payload = op.input.model_validate(dict(data or {}))
        ctx: Context[BaseModel] = Context(
            community=self.community,
            module=self.manifest.name,
            caller=caller,
            settings=self.settings,
            host=self.host,
            now=self.clock,
            idempotency_key=idempotency_key,
        )
        return op, ctx, payload

    async def call(
        self,
        operation: str,
        data: Mapping[str, Any] | BaseModel | None = None,
        *,
        as_: MemberView | Caller,
        idempotency_key: str | None = None,
    ) -> BaseModel:
        """Call an operation as a member: check the role and scope, validate input, run it.

        The events the operation published are delivered to ``linli_event`` after it returns.
        If it raises, what it asked of the host is discarded, as the platform rolls back.

        Raises:
            NotFound: the module has no such operation.
            Forbidden: the caller lacks the role or scope.
            pydantic.ValidationError: the input does not fit the operation's model.

        """
        op, ctx, payload = self._prepare(operation, data, as_, idempotency_key)
        async with self._atomic():
            result = await op(ctx, payload)
        await self.deliver_events()
        return result

    async def stream(
        self,
        operation: str,
        data: Mapping[str, Any] | BaseModel | None = None,
        *,
        as_: MemberView | Caller,
        limit: int | None = None,
    ) -> list[BaseModel]:
        """Run a stream as a member and collect what it yields (at most ``limit`` items).

        Raises the same errors as :meth:`call`.
        """
        op, ctx, payload = self._prepare(operation, data, as_, None)
        items: list[BaseModel] = []
        async for item in op.stream(ctx, payload):
            items.append(item)
            if limit is not None and len(items) >= limit:
                break
        return items

    async def deliver_events(self) -> list[Event]:
        """Deliver events published since the last delivery to ``linli_event``, in order.

        Events that hooks publish while handling these are delivered too. An event whose hook
        raised is delivered again by the next delivery (at least once, as on the platform).
        """
        published = self.host.events.published
        delivered: list[Event] = []
        for _ in range(_MAX_ROUNDS):
            self._refuse_charges()
            if self._delivered >= len(published):
                return delivered
            event = published[self._delivered]
            await self._fire("linli_event", event=event)
            self._delivered += 1
            delivered.append(event)
        raise RuntimeError(f"more than {_MAX_ROUNDS} events in one delivery: do hooks loop?")

    def _refuse_charges(self) -> None:
        """The gateway refuses the charges `decline_next` marked: each fails, with its event."""
        payments = self.host.payments
        while payments.refused:
            charge_id, reason = payments.refused.pop(0)
            charge = payments.charges[charge_id].model_copy(update={"status": ChargeStatus.FAILED})
            payments.charges[charge_id] = charge
            payload = {
                "charge_id": charge.id,
                "order_ref": charge.order_ref,
                "module": self.manifest.name,
                "amount": charge.amount.model_dump(mode="json"),
                "reason": reason,
            }
            self.host.events.published.append(
                Event(
                    id=str(uuid.uuid4()),
                    type=CHARGE_FAILED,
                    community=self.community.slug,
                    module=None,
                    occurred=self.clock,
                    payload=payload,
                )
            )

    async def advance(self, delta: timedelta) -> list[Deadline]:
        """Move the clock forward and fire every deadline now due, earliest first.

        Each deadline is removed from ``host.deadlines.pending`` and handed to
        ``linli_deadline_reached``; events it publishes are delivered before the next one
        fires. Deadlines not yet due stay pending. If a hook raises, the deadline stays pending
        (the platform retries it) and the exception propagates.

        Returns:
            The deadlines fired, in the order they fired.

        """
        self.clock += delta
        pending = self.host.deadlines.pending
        fired: list[Deadline] = []
        for _ in range(_MAX_ROUNDS):
            due = [d for d in pending.values() if d.due <= self.clock]
            if not due:
                return fired
            deadline = min(due, key=lambda d: (d.due, d.key))
            async with self._atomic():
                del pending[deadline.key]
                await self._fire("linli_deadline_reached", deadline=deadline)
            fired.append(deadline)
            await self.deliver_events()
        raise RuntimeError(f"more than {_MAX_ROUNDS} deadlines in one advance: do hooks loop?")


@pytest.fixture
def linli_kit() -> Iterator[Callable[..., PluginKit]]:
    """Provide a factory: ``linli_kit(plugin, **options)`` builds a fresh :class:`PluginKit`."""
    yield PluginKit
