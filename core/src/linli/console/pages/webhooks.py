"""The console's webhooks page: subscriptions, and deliveries given up on (redeliver).

Subscribing calls `linli.dispatch.events.webhooks.subscribe` (the URL checked against SSRF,
the secret shown once) and redelivering `linli.dispatch.events.outbox.replay`, as the
dispatch API routes do. Deliveries are records: read here, re-armed, never edited.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from linli_sdk import LinliError, NotFound, Role
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from ...dispatch.events.outbox import failed_deliveries, replay
from ...dispatch.events.webhooks import subscribe, subscriptions
from ...dispatch.schemas import NewWebhook
from ...http.access import Access
from ..web import act, command, form_of, page, parsed, visit_of

__all__ = ["webhook_routes"]

READ = Access.of(Role.OPERATOR).opt
WRITE = Access.of(Role.OPERATOR).opt  # as the dispatch API's webhook and replay routes
BASE = "/c/{community:str}/webhooks"


async def _page(
    request: Request[Any, Any, Any], error: LinliError | None = None, secret: str = ""
) -> Template:
    where = visit_of(request).community
    return page(
        request,
        "webhooks.html",
        error=error,
        secret=secret,
        webhooks=await subscriptions(where),
        failed=await failed_deliveries(where),
    )


@get(BASE, opt=READ)
async def webhooks(request: Request[Any, Any, Any]) -> Template:
    """The active subscriptions and the deliveries that failed after every retry."""
    return await _page(request)


@post(BASE, opt=WRITE, status_code=200)
async def add(request: Request[Any, Any, Any]) -> Template:
    """Subscribe a URL to the community's events; its signing secret is shown once."""
    visit = visit_of(request)
    form = await form_of(request)
    types = [t.strip() for t in form.get("event_types", "").split(",") if t.strip()]
    allow = [
        ipaddress.ip_network(n, strict=False)
        for n in visit.platform.settings.dispatch_webhook_allow
    ]
    try:
        data = parsed(NewWebhook, {**form, "event_types": types}, "webhook")
        made = await command(
            visit,
            lambda: subscribe(
                visit.community,
                data.url,
                data.event_types,
                allow=allow,
                payload_version=data.payload_version,
            ),
        )
    except LinliError as exc:
        return await _page(request, exc)
    return await _page(request, secret=str(made["secret"]))


@post(f"{BASE}/deliveries/{{event_id:str}}/redeliver", opt=WRITE, status_code=303)
async def redeliver(
    request: Request[Any, Any, Any], community: FromPath[str], event_id: FromPath[str]
) -> Response[Any]:
    """Deliver an event again to one target (or all of its targets): its retries start over."""
    visit = visit_of(request)
    target = (await form_of(request)).get("target") or None

    async def work() -> int:
        count = await replay(visit.community, event_id, target)
        if not count:
            raise NotFound(f"there is no delivered event {event_id} here")
        return count

    return await act(
        request,
        work,
        again=_page,
        to=f"/c/{community}/webhooks",
        notice=lambda _: f"Event {event_id} will be delivered again.",
    )


def webhook_routes() -> list[Any]:
    """The webhooks page, subscribing, redelivering."""
    return [webhooks, add, redeliver]
