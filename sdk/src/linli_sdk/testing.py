"""The test kit: run a plugin's operations and hooks against an in-memory host, no platform needed.

Installed as a pytest plugin (entry point ``pytest11``), it gives every test the ``linli_kit``
fixture::

    async def test_post(linli_kit):
        kit = linli_kit(my_plugin)
        leader = kit.add_member("Wang", Role.LEADER)
        notice = await kit.call("post-notice", {"title": "Water off"}, as_=leader)

The in-memory host splits charges by the plugin's declared revenue-share rules, refuses credit
events outside their declared bounds, keeps deadlines on a clock the test moves, and records
published events, exactly as the platform's contract says.
"""

from __future__ import annotations

import inspect
import itertools
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pluggy
import pytest
from pydantic import BaseModel

from . import hookspecs
from .context import Caller, Community, Context
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .host import (
    Charge,
    ChargeStatus,
    Deadline,
    Event,
    JobRequest,
    JobTicket,
    MemberView,
    Refund,
)
from .manifest import Manifest
from .money import Money
from .revenue_share import refund as allocate_refund
from .revenue_share import split
from .roles import Role

__all__ = ["InMemoryHost", "PluginKit", "linli_kit", "load_manifest"]


def load_manifest(plugin: object) -> Manifest:
    """Return the manifest a plugin object (module or instance) declares as its ``manifest``."""
    manifest = getattr(plugin, "manifest", None)
    if not isinstance(manifest, Manifest):
        raise TypeError(f"{plugin!r} has no 'manifest' attribute of type linli_sdk.Manifest")
    return manifest


class _Payments:
    def __init__(self, manifest: Manifest) -> None:
        self._manifest = manifest
        self.charges: dict[str, Charge] = {}
        self.refunds: dict[str, Refund] = {}
        self._ids = itertools.count(1)

    def _rules(self) -> Any:
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
        charge = Charge(
            id=f"ch_{next(self._ids)}",
            order_ref=order_ref,
            amount=amount,
            status=ChargeStatus.CAPTURED if capture else ChargeStatus.AUTHORIZED,
            parts=parts if capture else {},
            refunded=Money.zero(amount.currency),
        )
        self.charges[charge.id] = charge
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
        return updated

    async def void(self, charge_id: str) -> Charge:
        charge = self._get(charge_id)
        if charge.status is ChargeStatus.VOIDED:
            return charge
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


class _Credit:
    def __init__(self, manifest: Manifest) -> None:
        self._manifest = manifest
        self.events: dict[str, tuple[int, str, int]] = {}

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

    async def submit(self, job: JobRequest) -> JobTicket:
        if job.ref not in self.jobs:
            ticket = JobTicket(id=f"job_{len(self.jobs) + 1}", ref=job.ref, status="pending")
            self.jobs[job.ref] = (job, ticket)
        return self.jobs[job.ref][1]


class _Deadlines:
    def __init__(self) -> None:
        self.pending: dict[str, Deadline] = {}

    async def schedule(self, key: str, due: datetime, payload: Mapping[str, Any]) -> Deadline:
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


class _Members:
    def __init__(self) -> None:
        self.members: dict[int, MemberView] = {}

    async def get(self, member_id: int) -> MemberView | None:
        return self.members.get(member_id)


class InMemoryHost:
    """A complete host kept in memory, bound to one community and one module.

    Its ports keep what they were asked in plain attributes a test can read:
    ``payments.charges``, ``payments.refunds``, ``credit.events``, ``dispatch.jobs``,
    ``deadlines.pending``, ``events.published``, ``members.members``.
    """

    def __init__(self, manifest: Manifest, community: Community, clock: Callable[[], datetime]):
        self.community = community
        self.module = manifest.name
        self.now = clock
        self.payments = _Payments(manifest)
        self.credit = _Credit(manifest)
        self.dispatch = _Dispatch()
        self.deadlines = _Deadlines()
        self.events = _Events(self)
        self.members = _Members()


class PluginKit:
    """Drives one plugin like the platform does: operations, hooks, deadlines and events.

    Args:
        plugin: The plugin object (the module your entry point names).
        community: The community calls happen in.
        now: The kit's clock starts here (UTC); move it with :meth:`advance`.

    """

    def __init__(
        self,
        plugin: object,
        *,
        community: Community | None = None,
        now: datetime | None = None,
    ) -> None:
        self.plugin = plugin
        self.manifest = load_manifest(plugin)
        self.community = community or Community(id=1, slug="test-community", name="Test")
        self.clock = now or datetime(2026, 1, 1, tzinfo=UTC)
        self.host = InMemoryHost(self.manifest, self.community, lambda: self.clock)
        self.settings: BaseModel = self.manifest.settings()
        self._delivered = 0
        self._ids = itertools.count(1)
        self._pm = pluggy.PluginManager(hookspecs.NAME)
        self._pm.add_hookspecs(hookspecs)
        self._pm.register(plugin, name=self.manifest.name)
        self._pm.check_pending()

    def add_member(
        self,
        display_name: str,
        *roles: Role,
        verified: bool = True,
        phone_masked: str | None = None,
    ) -> MemberView:
        """Add a member to the community with ``roles`` (``member`` is implied)."""
        member = MemberView(
            id=next(self._ids),
            display_name=display_name,
            roles=frozenset({Role.MEMBER, *roles}),
            verified=verified,
            phone_masked=phone_masked,
        )
        self.host.members.members[member.id] = member
        return member

    async def _fire(self, hook: str, **kwargs: Any) -> None:
        for result in getattr(self._pm.hook, hook)(host=self.host, **kwargs):
            if inspect.isawaitable(result):
                await result

    async def enable(self, settings: Mapping[str, Any] | None = None) -> BaseModel:
        """Enable the module with ``settings`` (validated) and fire ``linli_module_enabled``."""
        self.settings = self.manifest.settings.model_validate(dict(settings or {}))
        await self._fire("linli_module_enabled", settings=self.settings)
        return self.settings

    async def disable(self) -> None:
        """Fire ``linli_module_disabled``."""
        await self._fire("linli_module_disabled")

    async def seed_demo(self) -> None:
        """Fire ``linli_seed_demo`` as ``linli demo`` does."""
        await self._fire("linli_seed_demo")

    async def call(
        self,
        operation: str,
        data: Mapping[str, Any] | BaseModel | None = None,
        *,
        as_: MemberView | Caller,
        idempotency_key: str | None = None,
    ) -> BaseModel:
        """Call an operation as a member: validate input, check the role and scope, run it.

        Raises:
            NotFound: the module has no such operation.
            Forbidden: the caller lacks the role or scope.
            pydantic.ValidationError: the input does not fit the operation's model.

        """
        op = self.manifest.operation(operation)
        if op is None:
            raise NotFound(f"module {self.manifest.name} has no operation {operation}")
        caller = as_ if isinstance(as_, Caller) else Caller(member_id=as_.id, roles=as_.roles)
        if not caller.has_role(*op.roles) or not caller.has_scope(op.scope):
            raise Forbidden(f"{operation} requires one of the roles {sorted(op.roles)}")
        payload = data if isinstance(data, BaseModel) else op.input.model_validate(dict(data or {}))
        ctx: Context[BaseModel] = Context(
            community=self.community,
            module=self.manifest.name,
            caller=caller,
            settings=self.settings,
            host=self.host,
            now=self.clock,
            idempotency_key=idempotency_key,
        )
        result = await op(ctx, payload)
        await self.deliver_events()
        return result

    async def deliver_events(self) -> list[Event]:
        """Deliver events published since the last delivery to ``linli_event``."""
        fresh = self.host.events.published[self._delivered :]
        self._delivered = len(self.host.events.published)
        for event in fresh:
            await self._fire("linli_event", event=event)
        return fresh

    async def advance(self, delta: timedelta) -> list[Deadline]:
        """Move the clock forward and fire every deadline now due, earliest first."""
        self.clock += delta
        due = sorted(
            (d for d in self.host.deadlines.pending.values() if d.due <= self.clock),
            key=lambda d: (d.due, d.key),
        )
        for deadline in due:
            del self.host.deadlines.pending[deadline.key]
            await self._fire("linli_deadline_reached", deadline=deadline)
        await self.deliver_events()
        return due


@pytest.fixture
def linli_kit() -> Iterator[Callable[..., PluginKit]]:
    """Provide a factory: ``linli_kit(plugin, **options)`` builds a fresh :class:`PluginKit`."""
    yield PluginKit
