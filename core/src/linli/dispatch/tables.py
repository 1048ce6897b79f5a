"""The dispatch service's tables: durable deadlines, the event outbox, deliveries, webhooks.

Every row carries its community id. Moments the worker compares (``run_at``) are integer
milliseconds since the epoch, so the same SQL claims due rows on SQLite and PostgreSQL.
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from ..tables import Community, Member, Provider

__all__ = [
    "DispatchJob",
    "EventDelivery",
    "OutboxEvent",
    "ScheduledDeadline",
    "ServiceWorker",
    "WebhookSubscription",
]


class ScheduledDeadline(Table, tablename="linli_dispatch_deadline"):
    """A deadline a module scheduled: fired once through ``linli_deadline_reached``.

    ``status`` is ``pending`` (waiting or being retried), ``done``, ``cancelled`` or ``failed``
    (gave up after the configured number of attempts).
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    module = Varchar(length=40)
    key = Varchar(length=200)
    scope_key = Varchar(length=300, unique=True)  # "<community id>:<module>:<key>"
    due = Timestamptz()
    run_at = BigInt(index=True)  # epoch ms: when the worker may (next) run it
    payload = JSON(default={})
    status = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    last_error = Text(default="")
    fired_at = Timestamptz(null=True, default=None)


class OutboxEvent(Table, tablename="linli_dispatch_outbox"):
    """A domain event, written in the same transaction as its cause.

    ``status`` is ``new`` until its deliveries were created (``fanned``).
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    community_slug = Varchar(length=64)
    event_id = Varchar(length=36, unique=True)
    type = Varchar(length=120)
    module = Varchar(length=40, null=True, default=None)
    occurred = Timestamptz()
    payload = JSON(default={})
    status = Varchar(length=16, default="new", index=True)


class EventDelivery(Table, tablename="linli_dispatch_delivery"):
    """One event to one target: a module's ``linli_event`` hook or a webhook subscription.

    ``target`` is ``module:<name>`` or ``webhook:<subscription id>``; ``status`` is ``pending``,
    ``delivered`` or ``failed``.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    event_id = Varchar(length=36, index=True)
    target = Varchar(length=80)
    scope_key = Varchar(length=160, unique=True)  # "<event id>:<target>"
    status = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    run_at = BigInt(index=True)
    last_error = Text(default="")
    delivered_at = Timestamptz(null=True, default=None)


class WebhookSubscription(Table, tablename="linli_dispatch_webhook"):
    """An outside subscriber to a community's events, sent as signed Standard Webhooks.

    ``event_types`` empty means every type. ``secret`` (``whsec_...``) signs each delivery.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    url = Varchar(length=2000)
    secret = Varchar(length=100)
    event_types = JSON(default=[])
    payload_version = Integer(default=1)
    status = Varchar(length=16, default="active")
    created_at = Timestamptz()


class ServiceWorker(Table, tablename="linli_dispatch_worker"):
    """A provider's worker serving one community: skills, place, availability, capacity.

    ``availability`` is a list of ``[start, end]`` ISO timestamps; ``standing`` the worker's
    community-credit score (0..1000).
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    member = ForeignKey(references=Member, null=True, default=None)
    provider = ForeignKey(references=Provider, null=True, default=None)
    name = Varchar(length=100)
    skills = JSON(default=[])
    location_x = Integer(default=0)
    location_y = Integer(default=0)
    availability = JSON(default=[])
    capacity = Integer(default=1)
    standing = Integer(default=1000)
    status = Varchar(length=16, default="active")


class DispatchJob(Table, tablename="linli_dispatch_job"):
    """A job a module submitted (a booking, an appointment, a delivery run) and its state.

    ``status`` is ``pending`` (nobody fits yet), ``offered`` to a worker, ``accepted`` or
    ``completed``.

    ``passed_over`` lists the workers that declined or let an offer lapse.
    """

    id = Serial(primary_key=True)

    community = ForeignKey(references=Community, index=True)
    module = Varchar(length=40)
    reference = Varchar(length=200)  # the module's own ref
    scope_key = Varchar(length=300, unique=True)  # "<community id>:<module>:<ref>"
    skills = JSON(default=[])
    location_x = Integer(default=0)
    location_y = Integer(default=0)
    window_start = Timestamptz()
    window_end = Timestamptz()
    duration_minutes = Integer()
    status = Varchar(length=16, default="pending", index=True)
    worker = ForeignKey(references=ServiceWorker, null=True, default=None)
    passed_over = JSON(default=[])
    offered_at = Timestamptz(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
