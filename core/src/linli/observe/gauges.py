"""The platform's gauges, read from the database when Prometheus scrapes ``/metrics``.

Every read is bounded: counts stop at :data:`COUNT_CAP` (a ``LIMIT`` inside the count), and
the oldest waiting event is found through the primary key. All communities are counted
together: the metrics are the operator's, not a community's.

- ``linli_outbox_lag_seconds``: the age of the oldest event not yet delivered to every target
  (0 when none waits);
- ``linli_gateway_intents_pending``: gateway calls recorded but not carried out yet;
- ``linli_deadlines_due``: deadlines whose time has come and that have not fired yet;
- ``linli_dispatch_queue_length{queue}``: ``events`` not fanned out yet, event ``deliveries``
  waiting (or being retried), ``jobs`` waiting for a worker.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from piccolo.table import Table
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from ..dispatch.tables import DispatchJob, EventDelivery, OutboxEvent, ScheduledDeadline
from ..settlement.tables import GatewayIntent

__all__ = ["COUNT_CAP", "read_gauges"]

COUNT_CAP = 100_000
"""The most any gauge counts (a longer queue reads as this number)."""


async def _count(table: type[Table], where: str, *args: object) -> int:
    name = table._meta.tablename
    sql = f"SELECT COUNT(*) AS n FROM (SELECT 1 FROM {name} WHERE {where} LIMIT {COUNT_CAP}) AS q"
    rows = await table.raw(sql, *args)
    return int(rows[0]["n"])


async def _oldest_waiting_event() -> datetime | None:
    """When the oldest event not delivered everywhere occurred (new, or with a delivery due)."""
    found: list[datetime] = []
    new = (
        await OutboxEvent.select(OutboxEvent.occurred)
        .where(OutboxEvent.status == "new")
        .order_by(OutboxEvent.id)
        .first()
    )
    if new:
        found.append(new["occurred"])
    waiting = (
        await EventDelivery.select(EventDelivery.event_id)
        .where(EventDelivery.status == "pending")
        .order_by(EventDelivery.id)
        .first()
    )
    if waiting:
        event = (
            await OutboxEvent.select(OutboxEvent.occurred)
            .where(OutboxEvent.event_id == waiting["event_id"])
            .first()
        )
        if event:
            found.append(event["occurred"])
    return min((_aware(moment) for moment in found), default=None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


async def read_gauges() -> list[Metric]:
    """The gauges above, read now from the platform's database."""
    now_ms = int(time.time() * 1000)
    oldest = await _oldest_waiting_event()
    lag = max(0.0, (datetime.now(UTC) - oldest).total_seconds()) if oldest else 0.0
    queue = GaugeMetricFamily(
        "linli_dispatch_queue_length",
        "Work waiting for the dispatch worker, by queue (capped).",
        labels=["queue"],
    )
    queue.add_metric(["events"], await _count(OutboxEvent, "status = 'new'"))
    queue.add_metric(["deliveries"], await _count(EventDelivery, "status = 'pending'"))
    queue.add_metric(["jobs"], await _count(DispatchJob, "status = 'pending'"))
    return [
        _gauge(
            "linli_outbox_lag_seconds",
            "Age of the oldest event not yet delivered to every target (0: none waits).",
            lag,
        ),
        _gauge(
            "linli_gateway_intents_pending",
            "Gateway calls recorded and not yet carried out (capped).",
            await _count(GatewayIntent, "state = 'pending'"),
        ),
        _gauge(
            "linli_deadlines_due",
            "Deadlines whose time has come and that have not fired yet (capped).",
            await _count(ScheduledDeadline, "status = 'pending' AND run_at <= {}", now_ms),
        ),
        queue,
    ]
