"""Delivering domain events to the ``linli_event`` hook of every module enabled in a community.

Events are collected while a call runs and delivered after it committed. In this version
delivery happens in the process that published them, right after the commit; a durable outbox
with retries and webhooks to outside subscribers comes with the dispatch service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from linli_sdk import Community

from .host import CoreHost, EventBuffer
from .registry import ModuleRegistry
from .tables import ModuleSetting

__all__ = ["deliver_events", "with_events"]

T = TypeVar("T")


async def _enabled_modules(community: Community) -> set[str]:
    rows = await ModuleSetting.select(ModuleSetting.module).where(
        (ModuleSetting.community == community.id) & (ModuleSetting.enabled == True)  # noqa: E712
    )
    return {row["module"] for row in rows}


async def deliver_events(
    registry: ModuleRegistry, community: Community, buffer: EventBuffer
) -> None:
    """Deliver what ``buffer`` holds to every enabled module's ``linli_event``, then empty it.

    Events that hooks publish while handling events are delivered in turn, in order.
    """
    listeners = {n for n in registry.modules if registry.hooks.implements("linli_event", n)}
    while buffer.events:
        events, buffer.events = buffer.events, []
        if not listeners:  # nobody listens: no need to ask the database who is enabled
            continue
        for name in sorted(listeners & await _enabled_modules(community)):
            for event in events:
                host = CoreHost(community, name, buffer)
                await registry.hooks.event(name, host, event)


async def with_events(
    registry: ModuleRegistry,
    community: Community,
    module: str,
    work: Callable[[CoreHost], Awaitable[T]],
) -> T:
    """Run ``work`` with a host for ``module``, then deliver the events it published."""
    host = CoreHost(community, module)
    result = await work(host)
    await deliver_events(registry, community, host.buffer)
    return result
