"""The core's implementation of the SDK host, bound to one community and one module.

Member look-up is served by the identity service (personal fields only for granted member
scopes); events (the outbox), durable deadlines and job dispatch by the
dispatch service; payments by settlement; credit (events within the manifest's bounds,
standings) by the credit service; pickup points (with their hosts and leaders) by the network;
the emergency state by the emergency channel; sealing sensitive values by identity's data keys;
notifications by the notification service; purchase facts by the profiles service.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

from linli_sdk import CapabilityUnavailable, Community, Event

from linli.credit.port import HostCredit
from linli.db.runtime import current_engine
from linli.db.savepoint import savepoint
from linli.dispatch.jobs.port import JobDispatch
from linli.dispatch.ports import DurableDeadlines, new_event, record_event
from linli.emergency.port import HostEmergency
from linli.files.store import CoreFiles
from linli.identity.member_port import MemberPort
from linli.identity.vault import HostVault
from linli.network.port import PickupPointPort
from linli.notifications.port import HostNotifications
from linli.profiles.port import HostPurchases
from linli.settlement.payments import HostPayments
from linli.unit_of_work import UnitOfWork

__all__ = ["CoreHost"]

if TYPE_CHECKING:
    from linli.platform import Platform


class _Unavailable:
    """A port whose service is not part of this platform yet: every use says so."""

    def __init__(self, service: str) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        async def refuse(*args: Any, **kwargs: Any) -> NoReturn:
            raise CapabilityUnavailable(
                f"{self._service} is not available on this platform yet ({name} was called)"
            )

        return refuse


class _Events:
    def __init__(self, community: Community, module: str, unit: UnitOfWork) -> None:
        self._community, self._module, self._unit = community, module, unit

    async def publish(self, type: str, payload: Mapping[str, Any]) -> Event:
        # Written to the outbox in the current transaction; delivered after it commits. An
        # event nobody receives is written as fanned out: no fan-out transaction after commit.
        from linli.dispatch.events.outbox import targets_of  # the outbox runs hooks via hosts

        event = new_event(self._community, self._module, f"{self._module}.{type}", payload)
        platform = self._unit.platform
        heard = platform is None or bool(
            await targets_of(platform.registry, self._community.id, event)
        )
        await record_event(
            self._community, self._module, event.type, payload, event=event, fanned=not heard
        )
        if heard:
            self._unit.events.append(event)
        return event


class CoreHost:
    """The platform as one module sees it in one community.

    Each port is made when the module first uses it: a call uses one or two of them.
    """

    def __init__(
        self,
        platform: Platform,
        community: Community,
        module: str,
        unit: UnitOfWork | None = None,
    ):
        self.platform = platform
        self.community = community
        self.module = module
        self.unit = unit or UnitOfWork(platform, community)

    @cached_property
    def members(self) -> MemberPort:
        """Members of the community, personal fields only for granted scopes."""
        return MemberPort(self.platform, self.community, self.module)

    @cached_property
    def events(self) -> _Events:
        """Events written to the outbox in the call's transaction."""
        return _Events(self.community, self.module, self.unit)

    @cached_property
    def payments(self) -> HostPayments:
        """Charges and refunds through settlement, carried out after the call commits."""
        return HostPayments(self.platform, self.community, self.module, self.unit)

    @cached_property
    def credit(self) -> HostCredit:
        """The module's declared credit events and members' standings."""
        return HostCredit(self.platform, self.community, self.module)

    @cached_property
    def dispatch(self) -> JobDispatch:
        """Jobs for providers' workers."""
        return JobDispatch(self.community, self.module)

    @cached_property
    def deadlines(self) -> DurableDeadlines:
        """Durable deadlines by the module's declared patterns."""
        loaded = self.platform.registry.get(self.module)
        manifest = loaded.manifest if loaded is not None else None
        return DurableDeadlines(self.community, self.module, manifest)

    @cached_property
    def files(self) -> CoreFiles:
        """Uploaded files of the module."""
        return CoreFiles(self.community, self.module)

    @cached_property
    def pickup_points(self) -> PickupPointPort:
        """The network's pickup points with their hosts and leaders."""
        return PickupPointPort(self.community)

    @cached_property
    def emergency(self) -> HostEmergency:
        """The emergency in force in the community."""
        return HostEmergency(self.community)

    @cached_property
    def vault(self) -> HostVault:
        """Sealing sensitive values with the platform's data keys."""
        return HostVault(self.platform, self.community, self.module)

    @cached_property
    def purchases(self) -> HostPurchases:
        """Purchase facts, kept by the profiles service."""
        return HostPurchases(self.platform.profiles, self.community, self.module)

    @cached_property
    def notifications(self) -> HostNotifications:
        """Notifications to members, sent after the call commits."""
        return HostNotifications(self.platform, self.community, self.module, self.unit)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A savepoint in the call's transaction (SDK ``Host.transaction``).

        If the block raises, the database rolls back to the savepoint, and the events and the
        after-commit work (gateway calls) the block added to the unit are forgotten with it.
        """
        events, deferred = len(self.unit.events), len(self.unit.deferred)
        try:
            async with savepoint(current_engine()):
                yield
        except BaseException:
            del self.unit.events[events:]
            del self.unit.deferred[deferred:]
            raise
