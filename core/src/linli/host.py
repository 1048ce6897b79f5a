"""The core's implementation of the SDK host, bound to one community and one module.

Member look-up is served by the identity service (personal fields only for granted member
scopes); events (the outbox), durable deadlines and job dispatch by the
dispatch service; payments by settlement; credit (events within the manifest's bounds,
standings) by the credit service.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from linli_sdk import CapabilityUnavailable, Community, Event

from .credit.port import HostCredit
from .dispatch.jobs import JobDispatch
from .dispatch.ports import DurableDeadlines, record_event
from .files.store import CoreFiles
from .identity.member_port import MemberPort
from .settlement.payments import HostPayments

__all__ = ["AfterCommit", "CoreHost", "EventBuffer"]

if TYPE_CHECKING:
    from .platform import Platform

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]
"""Work to carry out once a call's transaction has committed (a gateway call, a webhook...)."""


class EventBuffer:
    """What one call caused that must wait for its commit: events and deferred work.

    The code that commits the call delivers both; a call that rolls back (or is replayed from
    its idempotency record) drops its buffer, so nothing deferred runs for it.
    """

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.deferred: list[AfterCommit] = []

    def after_commit(self, work: AfterCommit) -> None:
        """Run ``work`` once the current call has committed; never if it rolls back."""
        self.deferred.append(work)

    def absorb(self, other: EventBuffer) -> None:
        """Take over what ``other`` holds (a nested call that has committed)."""
        self.events.extend(other.events)
        self.deferred.extend(other.deferred)
        other.events, other.deferred = [], []

    async def run_deferred(self) -> None:
        """Run the deferred work, in order; a failure is logged, never raised (it committed)."""
        while self.deferred:
            work, self.deferred = self.deferred, []
            for item in work:
                try:
                    await item()
                except Exception:
                    log.exception("work deferred until after commit failed")


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
    def __init__(self, community: Community, module: str, buffer: EventBuffer) -> None:
        self._community, self._module, self._buffer = community, module, buffer

    async def publish(self, type: str, payload: Mapping[str, Any]) -> Event:
        # Written to the outbox in the current transaction; delivered after it commits.
        event = await record_event(self._community, self._module, f"{self._module}.{type}", payload)
        self._buffer.events.append(event)
        return event


class CoreHost:
    """The platform as one module sees it in one community."""

    def __init__(
        self,
        platform: Platform,
        community: Community,
        module: str,
        buffer: EventBuffer | None = None,
    ):
        self.platform = platform
        self.community = community
        self.module = module
        self.buffer = buffer or EventBuffer()
        self.members = MemberPort(platform, community, module)
        self.events = _Events(community, module, self.buffer)
        self.payments = HostPayments(platform, community, module, self.buffer)
        self.credit = HostCredit(platform, community, module)
        self.dispatch = JobDispatch(community, module)
        self.deadlines = DurableDeadlines(community, module)
        self.files = CoreFiles(community, module)
