"""Webhooks: events sent to outside subscribers, signed with the Standard Webhooks scheme.

Each delivery is an HTTP ``POST`` with the headers ``webhook-id`` (the event id: the same on
every retry and replay), ``webhook-timestamp`` and ``webhook-signature`` (``v1,`` + base64
HMAC-SHA256 over ``id.timestamp.body`` with the subscription's ``whsec_`` secret), so any
Standard Webhooks library verifies it. The body is a versioned JSON document. Only a 2xx answer
counts as delivered; anything else (a redirect included, which is never followed) is retried
with backoff. The address is checked against SSRF after resolution and connected to directly.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from linli_sdk import Community, Event, InvalidInput
from standardwebhooks import Webhook

from linli.dispatch.events.destinations import Network, resolve_destination
from linli.dispatch.events.outbox import (
    WEBHOOK,
    Retries,
    event_from_row,
    forget_subscriptions,
    outbox_row,
)
from linli.dispatch.store import claim, epoch_ms
from linli.dispatch.tables import EventDelivery, WebhookSubscription

__all__ = [
    "PAYLOAD_VERSIONS",
    "deliver_webhook",
    "new_secret",
    "render_payload",
    "send",
    "subscribe",
    "subscriptions",
]

PAYLOAD_VERSIONS = (1,)
"""The webhook payload versions a subscription may ask for."""


def new_secret() -> str:
    """A fresh signing secret in the Standard Webhooks form (``whsec_`` + base64)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def render_payload(event: Event, version: int) -> str:
    """The JSON body of ``event`` in payload ``version``."""
    if version not in PAYLOAD_VERSIONS:
        raise ValueError(f"unknown webhook payload version {version}")
    body = {
        "version": version,
        "id": event.id,
        "type": event.type,
        "timestamp": event.occurred.isoformat(),
        "community": event.community,
        "module": event.module,
        "data": event.payload,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


async def subscribe(
    community: Community,
    url: str,
    event_types: Sequence[str] = (),
    *,
    allow: Sequence[Network] = (),
    payload_version: int = 1,
) -> dict[str, Any]:
    """Add a webhook subscription after checking its URL; returns it with its secret."""
    await resolve_destination(url, allow)
    if payload_version not in PAYLOAD_VERSIONS:
        raise InvalidInput(f"payload version must be one of {PAYLOAD_VERSIONS}", field="version")
    row = WebhookSubscription(
        community=community.id,
        url=url,
        secret=new_secret(),
        event_types=sorted(set(event_types)),
        payload_version=payload_version,
        status="active",
        created_at=datetime.now(UTC),
    )
    await WebhookSubscription.insert(row).run()
    forget_subscriptions(community.id)
    return {
        "id": row.id,
        "url": url,
        "secret": row.secret,
        "event_types": row.event_types,
        "payload_version": payload_version,
    }


async def subscriptions(community: Community) -> list[dict[str, Any]]:
    """The community's active webhook subscriptions, by id, without their secrets."""
    rows = (
        await WebhookSubscription.select(
            WebhookSubscription.id,
            WebhookSubscription.url,
            WebhookSubscription.event_types,
            WebhookSubscription.payload_version,
        )
        .output(load_json=True)
        .where(
            (WebhookSubscription.community == community.id)
            & (WebhookSubscription.status == "active")
        )
        .order_by(WebhookSubscription.id)
    )
    return list(rows)


async def send(
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    event: Event,
    version: int,
    allow: Sequence[Network] = (),
) -> httpx.Response:
    """Sign and ``POST`` ``event`` to ``url`` once, connecting to the checked address."""
    destination = await resolve_destination(url, allow)
    body = render_payload(event, version)
    now = datetime.now(UTC)
    signature = Webhook(secret).sign(event.id, now, body)
    address = destination.address
    netloc = f"[{address}]" if ":" in address else address
    headers = {
        "host": destination.host
        if destination.port in (80, 443)
        else f"{destination.host}:{destination.port}",
        "content-type": "application/json",
        "user-agent": "Linli-Webhooks/1",
        "webhook-id": event.id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "linli-payload-version": str(version),
    }
    return await client.post(
        f"{destination.scheme}://{netloc}:{destination.port}{destination.path}",
        content=body.encode(),
        headers=headers,
        extensions={"sni_hostname": destination.host},
        follow_redirects=False,
    )


async def deliver_webhook(
    client: httpx.AsyncClient,
    retries: Retries,
    allow: Sequence[Network] = (),
    lease_seconds: float = 60.0,
) -> bool:
    """Send the next due webhook delivery; returns whether one was attempted.

    The delivery is leased (``run_at`` moved past the request's time) before it is sent, so a
    worker that dies mid-request leaves it to be retried; delivery is at least once.
    """
    now_ms = epoch_ms(datetime.now(UTC))
    claimed = await claim(
        "linli_dispatch_delivery",
        "run_at = {}, attempts = attempts + 1",
        [now_ms + int(lease_seconds * 1000)],
        "status = 'pending' AND run_at <= {} AND target LIKE 'webhook:%'",
        [now_ms],
    )
    if claimed is None:
        return False
    subscription = (
        await WebhookSubscription.select()
        .where(
            (WebhookSubscription.community == claimed["community"])
            & (WebhookSubscription.id == int(claimed["target"].removeprefix(WEBHOOK)))
        )
        .first()
        .run()
    )
    event_row = await outbox_row(claimed["community"], claimed["event_id"])
    if subscription is None or event_row is None or subscription["status"] != "active":
        await _mark(claimed["id"], "failed", "the subscription is gone or paused")
        return True
    try:
        answer = await send(
            client,
            subscription["url"],
            subscription["secret"],
            event_from_row(event_row),
            subscription["payload_version"],
            allow,
        )
    except (httpx.HTTPError, InvalidInput, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    else:
        if answer.is_success:
            await _mark(claimed["id"], "delivered")
            return True
        error = f"HTTP {answer.status_code}"
    await retries.postpone("linli_dispatch_delivery", claimed, error)
    return True


async def _mark(delivery_id: int, status: str, error: str | None = None) -> None:
    """Settle a delivery; ``last_error`` keeps the latest failure unless ``error`` is given."""
    values: dict[Any, Any] = {EventDelivery.status: status}
    if status == "delivered":
        values[EventDelivery.delivered_at] = datetime.now(UTC)
    if error is not None:
        values[EventDelivery.last_error] = error
    await EventDelivery.update(values).where(EventDelivery.id == delivery_id).run()
