"""The dispatch service's HTTP routes: webhook subscriptions, replays, offers and rates.

Every route is under ``/v1/communities/{community}/dispatch``, authenticated, and checks the
caller's role there. Commands take an ``Idempotency-Key``: the same key and body replay the
first answer.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from linli_sdk import Caller, Community, Forbidden, InvalidInput, NotFound, Role
from litestar import Request, Response
from litestar.params import Body, FromPath, QueryParameter

from linli.dispatch.events.destinations import Network
from linli.dispatch.events.outbox import replay
from linli.dispatch.events.webhooks import subscribe, subscriptions
from linli.dispatch.jobs import service as jobs
from linli.dispatch.logistics.documents import render_goods
from linli.dispatch.logistics.goods import GoodsOrder, OrderLine
from linli.http.handlers import get, post

from ..http.access import Access
from ..http.community import COMMUNITY, AsCommand, CommunityController, Where, Who
from ..http.problems import problem_responses
from ..platform import Platform
from .schemas import (
    GoodsBatch,
    NewWebhook,
    Offer,
    OnTime,
    Rematched,
    Replayed,
    Webhook,
)
from .tables import ServiceWorker

__all__ = ["DispatchController", "routes"]


def _allow(request: Request[Any, Any, Any]) -> list[Network]:
    platform: Platform = request.app.state.platform
    return [ipaddress.ip_network(n, strict=False) for n in platform.settings.dispatch_webhook_allow]


async def _worker_of(where: Community, caller: Caller) -> int:
    row = (
        await ServiceWorker.select(ServiceWorker.id)
        .where((ServiceWorker.community == where.id) & (ServiceWorker.member == caller.member_id))
        .first()
        .run()
    )
    if row is None:
        raise Forbidden("the caller is not a dispatch worker in this community")
    return int(row["id"])


def _answer_route(accept: bool) -> Any:
    verb = "accept" if accept else "decline"

    async def answer(
        self: Any,
        command: AsCommand,
        where: Where,
        caller: Who,
        job_id: FromPath[int],
    ) -> Response[Offer]:
        worker = await _worker_of(where, caller)

        async def work() -> Offer:
            ticket = await jobs.respond(where, job_id, worker, accept=accept)
            return Offer(job_id=ticket.id, ref=ticket.ref, status=ticket.status)

        return await command.answer(work)

    answer.__doc__ = f"The worker the job is offered to {verb}s it."
    return post(
        f"/jobs/{{job_id:int}}/{verb}",
        name=f"dispatch.{verb}",
        summary=f"{verb.capitalize()} a job offered to me (provider staff)",
        status_code=200,
        responses=problem_responses(401, 403, 404, 409),
        opt=Access.of(Role.PROVIDER_STAFF).opt,
    )(answer)


class DispatchController(CommunityController):
    """The dispatch service's community routes."""

    path = COMMUNITY + "/dispatch"
    tags = ["dispatch"]

    @post(
        "/webhooks",
        summary="Subscribe a URL to the community's events (operators)",
        status_code=200,
        responses=problem_responses(401, 403, 422),
        opt=Access.of(Role.OPERATOR).opt,
    )
    async def add_webhook(
        self,
        command: AsCommand,
        request: Request[Any, Any, Any],
        where: Where,
        data: Annotated[NewWebhook, Body()],
    ) -> Response[Webhook]:
        """Check the URL against SSRF, store the subscription and show its secret once."""

        async def work() -> Webhook:
            made = await subscribe(
                where,
                data.url,
                data.event_types,
                allow=_allow(request),
                payload_version=data.payload_version,
            )
            return Webhook(**made)

        return await command.answer(work)

    @get(
        "/webhooks",
        summary="The community's webhook subscriptions (operators, auditors)",
        responses=problem_responses(401, 403),
        opt=Access.of(Role.OPERATOR, Role.AUDITOR).opt,
    )
    async def list_webhooks(self, where: Where) -> list[Webhook]:
        """Every active subscription, without secrets."""
        return [Webhook(**row) for row in await subscriptions(where)]

    @post(
        "/events/{event_id:str}/replay",
        summary="Deliver an event again to its modules and webhooks (operators)",
        status_code=200,
        responses=problem_responses(401, 403, 404),
        opt=Access.of(Role.OPERATOR).opt,
    )
    async def replay_event(
        self,
        command: AsCommand,
        where: Where,
        event_id: FromPath[str],
    ) -> Response[Replayed]:
        """Re-arm every delivery of the event; receivers see the same ``webhook-id``."""

        async def work() -> Replayed:
            count = await replay(where, event_id)
            if not count:
                raise NotFound(f"there is no delivered event {event_id} in {where.slug}")
            return Replayed(event_id=event_id, deliveries=count)

        return await command.answer(work)

    accept = _answer_route(True)
    decline = _answer_route(False)

    @post(
        "/rematch",
        summary="Offer every pending job by one batch match (operators)",
        status_code=200,
        responses=problem_responses(401, 403),
        opt=Access.of(Role.OPERATOR).opt,
    )
    async def rematch_pending(
        self,
        command: AsCommand,
        where: Where,
    ) -> Response[Rematched]:
        """Place pending jobs at the least total cost (SciPy ``linear_sum_assignment``)."""

        async def work() -> Rematched:
            return Rematched(placed=await jobs.rematch(where))

        return await command.answer(work)

    @get(
        "/on-time",
        summary="On-time rate of completed jobs, per community and provider (operators, auditors)",
        responses=problem_responses(401, 403),
        opt=Access.of(Role.OPERATOR, Role.AUDITOR).opt,
    )
    async def on_time(self, where: Where) -> OnTime:
        """Completed jobs finished by their window's end."""
        return OnTime(**await jobs.on_time_rates(where))

    @post(
        "/goods/{kind:str}",
        summary="Pick lists, grid-warehouse or truck-run manifests as CSV or PDF",
        description="`kind`: `pick-lists`, `grid-manifests` or `truck-runs`; "
        "`format`: `csv`, `pdf`. Prints what it is given; changes nothing.",
        status_code=200,
        responses=problem_responses(401, 403, 422),
        opt=Access.of(Role.LEADER, Role.PICKUP_HOST, Role.OPERATOR).opt,
    )
    async def goods_document(
        self,
        where: Where,
        kind: FromPath[str],
        data: Annotated[GoodsBatch, Body()],
        format: Annotated[str, QueryParameter(pattern="^(csv|pdf)$")] = "pdf",
    ) -> Response[bytes]:
        """Render the documents for a confirmed group buy's orders."""
        orders = [
            GoodsOrder(
                o.ref,
                o.member,
                o.pickup_point,
                tuple(OrderLine(line.sku, line.name, line.quantity) for line in o.lines),
            )
            for o in data.orders
        ]
        try:
            body, media = render_goods(kind, orders, data.grid_of, data.truck_capacity, format)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        filename = f"{where.slug}-{kind}.{format}"
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


def routes(platform: Platform) -> list[Any]:
    """The dispatch service's routes: its controller."""
    return [DispatchController]
