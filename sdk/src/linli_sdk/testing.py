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
deadline whose hook raised stays pending to be retried; when the module's tables are bound
(the ``linli_module_db`` fixture), what the unit wrote to them is rolled back too. The
payment gateway answers after the unit returns, as on the platform: a new charge reads
``pending`` inside the call that made it, and ``settlement.charge_captured`` (or ``_failed``,
``_refunded``) is delivered once, after it.

A module with tables gets them on a temporary SQLite file, migrated by its own shipped
migrations, from the ``linli_module_db`` fixture (or :func:`module_database` for a database
shared by several tests)::

    async def test_post(linli_kit, linli_module_db):
        linli_module_db(my_plugin)
        kit = linli_kit(my_plugin)
        ...

Invalid input and settings raise :class:`~linli_sdk.InvalidInput` naming each field, as the
platform answers them (``errors``: ``[{"field": ..., "message": ...}]``).
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pluggy
import pytest
from pydantic import BaseModel, ValidationError

from . import hookspecs
from ._kit.credit import BASE_STANDING as BASE_STANDING
from ._kit.database import ModuleDatabase, linli_module_db, module_database, module_engine
from ._kit.dispatch import KitJobs
from ._kit.emergency import KitEmergencies
from ._kit.host import InMemoryHost
from ._kit.people import KitPeople
from .context import Caller, Community, Context
from .errors import Forbidden, InvalidInput, NotFound
from .host import (
    Deadline,
    Event,
    MemberView,
)
from .manifest import Manifest
from .operations import Operation
from .personal_data import MemberErasure, export_records

__all__ = [
    "InMemoryHost",
    "ModuleDatabase",
    "PluginKit",
    "linli_kit",
    "linli_module_db",
    "load_manifest",
    "module_database",
]

_MAX_ROUNDS = 1000
"""How many rounds of events (or due deadlines) one delivery runs before it gives up."""


def load_manifest(plugin: object) -> Manifest:
    """Return the manifest a plugin object (module or instance) declares as its ``manifest``."""
    manifest = getattr(plugin, "manifest", None)
    if not isinstance(manifest, Manifest):
        raise TypeError(f"{plugin!r} has no 'manifest' attribute of type linli_sdk.Manifest")
    return manifest


class PluginKit(KitPeople, KitEmergencies, KitJobs):
    """Drives one plugin like the platform does: operations, hooks, deadlines and events.

    Emergencies are declared with :meth:`declare_emergency` (moved with
    :meth:`amend_emergency`, ended with :meth:`end_emergency`), as an operator does. A test
    plays dispatch's workers with :meth:`offer_job` and :meth:`accept_job`.

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
        if self.manifest.deadline_handlers and self._pm.hook.linli_deadline_reached.get_hookimpls():
            raise ValueError(
                f"module {self.manifest.name} declares deadline handlers and implements "
                "linli_deadline_reached: use one"
            )
        self.grant(*granted_scopes)

    async def _fire(self, hook: str, **kwargs: Any) -> None:
        for result in getattr(self._pm.hook, hook)(host=self.host, **kwargs):
            if inspect.isawaitable(result):
                await result

    @asynccontextmanager
    async def _atomic(self) -> AsyncIterator[None]:
        """Run a unit of work: if it raises, undo what it asked of the host, then re-raise.

        When the module's tables are bound to an engine, the unit runs in one of its
        transactions, so what it wrote there is rolled back as well.
        """
        snapshot = self.host._snapshot()
        engine = module_engine(self.manifest)
        try:
            if engine is None:
                yield
            else:
                async with engine.transaction():
                    yield
        except BaseException:
            self.host._restore(snapshot)
            self._delivered = min(self._delivered, len(self.host.events.published))
            raise

    async def enable(self, settings: Mapping[str, Any] | None = None) -> BaseModel:
        """Enable the module with ``settings`` (validated) and fire ``linli_module_enabled``.

        Raises:
            InvalidInput: ``settings`` name a setting the model lacks or do not fit it (its
                ``errors`` name each ``settings.<field>``); the settings in force stay.

        """
        self.settings = self.manifest.validate_settings(dict(settings or {}))
        async with self._atomic():
            await self._fire("linli_module_enabled", settings=self.settings)
        await self.deliver_events()
        return self.settings

    async def disable(self) -> None:
        """Fire ``linli_module_disabled``."""
        async with self._atomic():
            await self._fire("linli_module_disabled")
        await self.deliver_events()

    async def seed_demo(self) -> None:
        """Fire ``linli_seed_demo`` as ``linli demo`` does."""
        async with self._atomic():
            await self._fire("linli_seed_demo")
        await self.deliver_events()

    async def export_member(self, member: MemberView | int) -> list[dict[str, Any]]:
        """The module's section of a member's data export: ``linli_member_data`` as JSON.

        The list of ``{"kind", "description", "records"}`` the platform puts under the
        module's name in ``GET /me/export`` (``[]`` if the module implements no hook).
        """
        member_id = member if isinstance(member, int) else member.id
        found: list[Any] = []
        for result in self._pm.hook.linli_member_data(host=self.host, member_id=member_id):
            found.extend(await result if inspect.isawaitable(result) else result)
        return export_records(self.manifest.name, found)

    async def erase_member(self, member: MemberView | int) -> MemberErasure:
        """Fire ``linli_member_erased`` in one unit, as ``DELETE /me`` does per module.

        If the hook raises, what it wrote is rolled back and the exception reaches the test.
        """
        member_id = member if isinstance(member, int) else member.id
        erasure = MemberErasure(erased=0)
        async with self._atomic():
            for result in self._pm.hook.linli_member_erased(host=self.host, member_id=member_id):
                done = await result if inspect.isawaitable(result) else result
                if not isinstance(done, MemberErasure):
                    raise TypeError(
                        f"linli_member_erased of {self.manifest.name} must return MemberErasure"
                    )
                erasure = done
        await self.deliver_events()
        return erasure

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
        try:
            if isinstance(data, op.input):
                payload = data
            elif isinstance(data, BaseModel):
                payload = op.input.model_validate(data.model_dump())
            else:
                payload = op.input.model_validate(dict(data or {}))
        except ValidationError as exc:
            what = f"input for {self.manifest.name}.{op.name}"
            raise InvalidInput.from_validation(exc, what) from exc
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
            InvalidInput: the input does not fit the operation's model (``errors`` names
                each field, as the platform's 422 does).

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
            self._settle()
            if self._delivered >= len(published):
                return delivered
            event = published[self._delivered]
            async with self._atomic():
                await self._fire("linli_event", event=event)
            self._delivered += 1
            delivered.append(event)
        raise RuntimeError(f"more than {_MAX_ROUNDS} events in one delivery: do hooks loop?")

    def _settle(self) -> None:
        """The gateway answers what the last units asked; its settlement events are published.

        Refused charges fail (``settlement.charge_failed``); captures and refunds announce
        ``charge_captured`` and ``charge_refunded``, a payout batch ``charge_paid_out``.
        """
        payments = self.host.payments
        payments.settle()
        while payments.announced:
            self.host.events.record_platform(*payments.announced.pop(0))

    async def pay_out(self) -> list[tuple[str, str]]:
        """Run a payout batch: pay every payable share, then deliver ``charge_paid_out`` events.

        Returns the ``(charge id, party)`` pairs paid (see ``host.payments.payable``).
        """
        paid = self.host.payments.pay_out()
        await self.deliver_events()
        return paid

    async def advance(self, delta: timedelta) -> list[Deadline]:
        """Move the clock forward, void deposits now expired, and fire every deadline now due.

        Each deadline is removed from ``host.deadlines.pending`` and handed to the module's
        declared handler for its key (``Manifest.deadline_handlers``), or to
        ``linli_deadline_reached`` if it declares none; events it publishes are delivered
        before the next one fires. Deadlines not yet due stay pending. If a hook raises, the
        deadline stays pending (the platform retries it) and the exception propagates.

        Returns:
            The deadlines fired, in the order they fired.

        """
        self.clock += delta
        self.host.payments.expire_deposits()  # the worker voids deposits past their expiry
        self._settle()
        pending = self.host.deadlines.pending
        fired: list[Deadline] = []
        for _ in range(_MAX_ROUNDS):
            due = [d for d in pending.values() if d.due <= self.clock]
            if not due:
                return fired
            deadline = min(due, key=lambda d: (d.due, d.key))
            async with self._atomic():
                del pending[deadline.key]
                handler = self.manifest.deadline_handler(deadline.key)
                if handler is None:
                    await self._fire("linli_deadline_reached", deadline=deadline)
                else:
                    await handler(self.host, deadline)
            fired.append(deadline)
            await self.deliver_events()
        raise RuntimeError(f"more than {_MAX_ROUNDS} deadlines in one advance: do hooks loop?")


@pytest.fixture
def linli_kit() -> Iterator[Callable[..., PluginKit]]:
    """Provide a factory: ``linli_kit(plugin, **options)`` builds a fresh :class:`PluginKit`."""
    yield PluginKit
