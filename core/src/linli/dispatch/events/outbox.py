"""The outbox: domain events fanned out to their targets and delivered to modules' hooks.

Each event written by :func:`~linli.dispatch.ports.record_event` is fanned out once into one
delivery per target: every module enabled in the community that implements ``linli_event``
(only the module that charged, for the settlement's events about a charge),
and every active webhook subscription that wants the event's type. A module's delivery runs in
one transaction with its claim, so the hook's own writes and the "delivered" mark commit
together; a hook that raises is rolled back and retried with backoff. Webhooks are sent by the
worker (:mod:`linli.dispatch.events.webhooks`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from linli_sdk import Community, Event

from linli.db.cache import LookupCache
from linli.dispatch.events.retry import retry_delay_ms
from linli.dispatch.store import (
    as_datetime,
    claim,
    community_by_id,
    engine,
    epoch_ms,
    json_value,
    postpone,
)
from linli.dispatch.tables import EventDelivery, OutboxEvent, WebhookSubscription
from linli.modules.host import CoreHost
from linli.modules.registry import ModuleRegistry
from linli.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from linli.platform import Platform

__all__ = [
    "Retries",
    "deliver_events",
    "deliver_to_module",
    "failed_deliveries",
    "fan_out",
    "forget_subscriptions",
    "replay",
]

log = logging.getLogger(__name__)

MODULE = "module:"
WEBHOOK = "webhook:"

_ADDRESSED = ("settlement.",)
"""Core events about one module's own charges: delivered to that module only (the
``module`` of their payload), never to the community's other modules."""


class Retries:
    """How failed attempts are retried: exponential backoff, then give up."""

    def __init__(self, base_seconds: float = 2.0, cap_seconds: float = 3600.0, limit: int = 15):
        self.base_seconds, self.cap_seconds, self.limit = base_seconds, cap_seconds, limit

    async def postpone(self, table: str, row: dict[str, Any], error: str) -> None:
        """Record a failed attempt of a claimed ``row`` of ``table``: retry later, or give up."""
        await postpone(table, row, self.delay_ms(row["attempts"]), error, self.limit)

    def delay_ms(self, attempts: int) -> int:
        """Milliseconds before the next attempt after ``attempts`` attempts."""
        return retry_delay_ms(
            attempts, base_seconds=self.base_seconds, cap_seconds=self.cap_seconds
        )


class _HookFailed(Exception):
    """Raised inside a delivery's transaction to roll it back."""


def event_from_row(row: dict[str, Any]) -> Event:
    """The :class:`~linli_sdk.Event` an outbox row holds."""
    return Event(
        id=row["event_id"],
        type=row["type"],
        community=row["community_slug"],
        module=row["module"],
        occurred=as_datetime(row["occurred"]),
        payload=json_value(row["payload"]),
    )


async def outbox_row(community_id: int, event_id: str) -> dict[str, Any] | None:
    """The outbox row of one event in one community, or ``None``."""
    row: dict[str, Any] | None = (
        await OutboxEvent.select()
        .where((OutboxEvent.community == community_id) & (OutboxEvent.event_id == event_id))
        .first()
    )
    return row


def _addressee(event: Event) -> str | None:
    """The one module a core event is addressed to, or ``None`` for every enabled module."""
    if event.module is None and event.type.startswith(_ADDRESSED):
        return str(event.payload.get("module", ""))
    return None


async def _module_targets(
    registry: ModuleRegistry, community_id: int, only: str | None = None
) -> list[str]:
    listeners = registry.hooks.implementers("linli_event") & registry.modules.keys()
    if only is not None:
        listeners &= {only}
    # Imported here: enablement delivers the events its hooks publish through this module.
    from linli.modules.enablement import module_state_by_id

    targets = []
    for name in sorted(listeners):  # the enablement cache answers: no query on most calls
        if (await module_state_by_id(community_id, registry.modules[name])).enabled:
            targets.append(MODULE + name)
    return targets


_SUBSCRIPTIONS: LookupCache[int, list[dict[str, Any]]] = LookupCache()
"""Active webhook subscriptions by community id, cached per process (`linli.db.cache`)."""


def forget_subscriptions(community_id: int) -> None:
    """Forget a community's cached subscriptions (one was added in this process)."""
    _SUBSCRIPTIONS.forget(community_id)


async def _webhook_targets(community_id: int, type: str) -> list[str]:
    rows = _SUBSCRIPTIONS.get(community_id)
    if rows is None:
        rows = _SUBSCRIPTIONS.put(
            community_id,
            await WebhookSubscription.select(
                WebhookSubscription.id, WebhookSubscription.event_types
            )
            .output(load_json=True)
            .where(
                (WebhookSubscription.community == community_id)
                & (WebhookSubscription.status == "active")
            ),
        )
    wanted = [row for row in rows if not row["event_types"] or type in row["event_types"]]
    return [f"{WEBHOOK}{row['id']}" for row in sorted(wanted, key=lambda row: row["id"])]


async def targets_of(registry: ModuleRegistry, community_id: int, event: Event) -> list[str]:
    """Who receives ``event`` now: the listening modules' hooks, then webhook subscriptions.

    The one list both the fan-out and the publishing fast path (`linli.modules.host`) use.
    """
    targets = await _module_targets(registry, community_id, _addressee(event))
    return targets + await _webhook_targets(community_id, event.type)


async def fan_out(registry: ModuleRegistry, event_id: str | None = None) -> list[str] | None:
    """Create the deliveries of the next new event (or of ``event_id``), exactly once.

    Returns the targets it made deliveries for (maybe none), or ``None`` if there was no event
    to fan out.
    """
    where, args = "status = 'new'", []
    if event_id is not None:
        where, args = "status = 'new' AND event_id = {}", [event_id]
    async with engine().transaction():
        row = await claim("linli_dispatch_outbox", "status = 'fanned'", [], where, args, "id")
        if row is None:
            return None
        event = event_from_row(row)
        now_ms = epoch_ms(datetime.now(UTC))
        targets = await targets_of(registry, row["community"], event)
        if targets:
            await EventDelivery.insert(
                *(
                    EventDelivery(
                        community=row["community"],
                        event_id=event.id,
                        target=target,
                        scope_key=f"{event.id}:{target}",
                        status="pending",
                        run_at=now_ms,
                    )
                    for target in targets
                )
            ).run()
    return targets


async def deliver_to_module(
    platform: Platform, retries: Retries, unit: UnitOfWork, event_id: str | None = None
) -> bool:
    """Deliver the next due module delivery (of ``event_id`` if given) to its ``linli_event``.

    What the hook publishes or defers is added to ``unit`` once its transaction has committed.
    Returns whether one was attempted.
    """
    registry = platform.registry
    caused = UnitOfWork()
    now = datetime.now(UTC)
    where = "status = 'pending' AND run_at <= {} AND target LIKE 'module:%'"
    args: list[Any] = [epoch_ms(now)]
    if event_id is not None:
        where, args = where + " AND event_id = {}", [*args, event_id]
    claimed: dict[str, Any] | None = None
    try:
        async with engine().transaction():
            claimed = await claim(
                "linli_dispatch_delivery",
                "status = 'delivered', attempts = attempts + 1, delivered_at = {}",
                [now],
                where,
                args,
            )
            if claimed is None:
                return False
            name = claimed["target"].removeprefix(MODULE)
            event_row = await outbox_row(claimed["community"], claimed["event_id"])
            if event_row is None or name not in registry.modules:
                return True  # the module is no longer installed: nothing to deliver to
            community = await community_by_id(claimed["community"])
            host = CoreHost(platform, community, name, caused)
            if not await registry.hooks.event(name, host, event_from_row(event_row)):
                raise _HookFailed(f"linli_event of {name} raised")
    except _HookFailed as failed:
        assert claimed is not None
        await retries.postpone("linli_dispatch_delivery", claimed, str(failed))
        return True
    unit.absorb(caused)
    return True


async def deliver_events(
    platform: Platform,
    community: Community,
    unit: UnitOfWork,
    retries: Retries | None = None,
) -> None:
    """Carry out what ``unit`` deferred, deliver its events now, then empty it.

    This is the fast path right after the cause committed; whatever fails here stays in the
    outbox for the worker. Events that hooks publish meanwhile are delivered in turn, in order.
    """
    retries = retries or Retries()
    await unit.run_deferred()
    while unit.events:
        events, unit.events = unit.events, []
        for event in events:
            try:
                targets = await fan_out(platform.registry, event.id)
                if not any(target.startswith(MODULE) for target in targets or ()):
                    continue  # no module listens: nothing to deliver now (webhooks: the worker)
                while await deliver_to_module(platform, retries, unit, event.id):
                    pass
            except Exception:  # the cause has committed: never fail it; the worker goes on
                log.exception("delivering event %s failed; the worker will retry", event.id)
        await unit.run_deferred()


async def failed_deliveries(community: Community, limit: int = 200) -> list[dict[str, Any]]:
    """The deliveries given up on here (after every retry), newest first."""
    rows: list[dict[str, Any]] = (
        await EventDelivery.select(
            EventDelivery.id,
            EventDelivery.event_id,
            EventDelivery.target,
            EventDelivery.attempts,
            EventDelivery.last_error,
        )
        .where((EventDelivery.community == community.id) & (EventDelivery.status == "failed"))
        .order_by(EventDelivery.id, ascending=False)
        .limit(limit)
    )
    return rows


async def replay(community: Community, event_id: str, target: str | None = None) -> int:
    """Deliver an event again to its targets (or to one): returns the deliveries re-armed.

    Replays carry the event's own id, so receivers can recognise a repeat.
    """
    condition = (EventDelivery.community == community.id) & (EventDelivery.event_id == event_id)
    if target is not None:
        condition &= EventDelivery.target == target
    rows = (
        await EventDelivery.update(
            {
                EventDelivery.status: "pending",
                EventDelivery.attempts: 0,
                EventDelivery.run_at: epoch_ms(datetime.now(UTC)),
            }
        )
        .where(condition)
        .returning(EventDelivery.id)
        .run()
    )
    return len(rows)
