"""Domain events: written to the outbox with their cause, delivered after it commits.

``host.events.publish`` writes the event to the dispatch service's outbox inside the current
transaction. Once the call commits, :func:`deliver_events` delivers it at once to the
``linli_event`` hook of every module enabled in the community (the fast path); whatever that
misses (a hook that raised, a process that died) and every webhook to an outside subscriber is
carried out by the dispatch worker, with retries (see :mod:`linli.dispatch`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from linli_sdk import Community

from linli.dispatch.events.outbox import deliver_events
from linli.modules.host import CoreHost

if TYPE_CHECKING:
    from linli.platform import Platform

__all__ = ["deliver_events", "with_events"]

T = TypeVar("T")


async def with_events(
    platform: Platform,
    community: Community,
    module: str,
    work: Callable[[CoreHost], Awaitable[T]],
) -> T:
    """Run ``work`` with a host for ``module``, then deliver the events it published."""
    host = CoreHost(platform, community, module)
    result = await work(host)
    await host.unit.deliver()
    return result
