"""Deliveries: orders dispatched to volunteers, vulnerable households first; doors; the account.

The operator or the emergency's dispatcher dispatches the waiting orders: the module opens
each household's sealed record, puts vulnerable households first (:func:`~.rules.dispatch_order`)
and asks the platform's dispatch for a volunteer (a dispatch worker with the volunteer skill)
per order, in that order. Volunteers see where to go and what to bring, never why an order
came first; at the door they confirm the delivery with the household's code. Every member
reads the public account: per building, how many households were served and what was
delivered — counts only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from linli_sdk import (
    Conflict,
    Empty,
    Event,
    Forbidden,
    Host,
    JobRequest,
    Role,
    command,
    query,
)
from piccolo.query.functions.aggregate import Max

from .households import emergency_in_force, may_see_vulnerability, sensitive_of
from .models import (
    AccountRequest,
    Ctx,
    DeliveryConfirmation,
    DeliveryList,
    DeliveryView,
    Dispatched,
    PublicAccount,
)
from .rules import Delivered, Waiting, dispatch_order, tally
from .tables import HouseholdRow, OrderRow, PackRow

__all__ = [
    "OPERATIONS",
    "confirm_delivery",
    "deliveries",
    "dispatch_changed",
    "dispatch_deliveries",
    "public_account",
]

_OPEN = ("dispatched", "accepted")
"""The states of an order a volunteer is on the way with."""


@command(Role.MEMBER)
async def dispatch_deliveries(ctx: Ctx, data: Empty) -> Dispatched:
    """Give every waiting order to a volunteer: vulnerable households first (operator, dispatcher).

    Raises:
        Forbidden: The caller is neither an operator nor the emergency's dispatcher.
        Conflict: No emergency is in force.

    """
    emergency = await emergency_in_force(ctx.host)
    if not await may_see_vulnerability(ctx, emergency):
        raise Forbidden("only the operator and the emergency's dispatcher dispatch deliveries")
    community = ctx.community.id
    rows = await OrderRow.select(OrderRow.id, OrderRow.created_at, OrderRow.household_id).where(
        (OrderRow.community_id == community)
        & (OrderRow.emergency_id == emergency.id)
        & (OrderRow.status == "ordered")
    )
    waiting = list({r["household_id"] for r in rows})
    sealed = await HouseholdRow.select(HouseholdRow.id, HouseholdRow.sealed).where(
        (HouseholdRow.community_id == community) & HouseholdRow.id.is_in(waiting or [0])
    )
    first = {h["id"]: (await sensitive_of(ctx.host, h)).vulnerability is not None for h in sealed}
    order = dispatch_order(
        Waiting(r["id"], r["created_at"], first[r["household_id"]]) for r in rows
    )
    last = (
        await OrderRow.select(Max(OrderRow.position).as_alias("last"))
        .where(OrderRow.community_id == community)
        .first()
    )
    position = (last or {}).get("last") or 0
    window = timedelta(hours=ctx.settings.delivery_window_hours)
    for order_id in order:
        position += 1
        ticket = await ctx.host.dispatch.submit(
            JobRequest(
                ref=f"delivery-{order_id}",
                skills=frozenset({ctx.settings.volunteer_skill}),
                window_start=ctx.now,
                window_end=ctx.now + window,
                duration=timedelta(minutes=15),
            )
        )
        await OrderRow.update(
            {
                OrderRow.status: "dispatched",
                OrderRow.job_id: ticket.id,
                OrderRow.position: position,
                OrderRow.dispatched_at: ctx.now,
            }
        ).where((OrderRow.id == order_id) & (OrderRow.community_id == community))
    return Dispatched(order_ids=order)


async def _views(community: int, where: Any) -> list[DeliveryView]:
    rows = await (
        OrderRow.select(
            OrderRow.id,
            OrderRow.position,
            OrderRow.building,
            OrderRow.quantity,
            OrderRow.status,
            OrderRow.household_id.join_on(HouseholdRow.id).room.as_alias("room"),
            OrderRow.pack_id.join_on(PackRow.id).name.as_alias("pack"),
        )
        .where((OrderRow.community_id == community) & where)
        .order_by(OrderRow.position)
    )
    return [
        DeliveryView(
            order_id=r["id"],
            position=r["position"],
            building=r["building"],
            room=r["room"],
            pack=r["pack"],
            quantity=r["quantity"],
            status=r["status"],
        )
        for r in rows
    ]


@query(Role.PROVIDER_STAFF, Role.OPERATOR)
async def deliveries(ctx: Ctx, data: Empty) -> DeliveryList:
    """The deliveries under way, in dispatch order: the door and what to bring.

    The operator sees every one; a volunteer only those dispatch offered or gave to them.
    """
    under_way: Any = OrderRow.status.is_in(list(_OPEN))
    if not ctx.caller.has_role(Role.OPERATOR):
        under_way = under_way & (OrderRow.volunteer_id == (ctx.caller.member_id or 0))
    return DeliveryList(items=await _views(ctx.community.id, under_way))


@command(Role.PROVIDER_STAFF)
async def confirm_delivery(ctx: Ctx, data: DeliveryConfirmation) -> DeliveryView:
    """A volunteer confirms a delivery at the door with the household's code.

    The order's dispatch job, if the volunteer accepted it, is completed: on time if within
    the delivery window.

    Raises:
        Forbidden: The code is not the household's, or dispatch gave the delivery to another
            volunteer.
        Conflict: The order is not under way (not dispatched yet, or delivered already).

    """
    community = ctx.community.id
    row = (
        await OrderRow.select(
            OrderRow.status,
            OrderRow.job_id,
            OrderRow.household_id.join_on(HouseholdRow.id).delivery_code.as_alias("code"),
        )
        .where((OrderRow.id == data.order_id) & (OrderRow.community_id == community))
        .first()
    )
    if row is None or row["status"] not in _OPEN:
        raise Conflict(f"order {data.order_id} is not under way", reason="not_under_way")
    if data.code != row["code"]:
        raise Forbidden("that is not the household's delivery code")
    job = await ctx.host.dispatch.get(row["job_id"])
    if job.worker_member_id not in (None, ctx.caller.member_id):
        raise Forbidden("dispatch gave this delivery to another volunteer")
    await OrderRow.update(
        {
            OrderRow.status: "delivered",
            OrderRow.volunteer_id: ctx.caller.member_id,
            OrderRow.delivered_at: ctx.now,
        }
    ).where((OrderRow.id == data.order_id) & (OrderRow.community_id == community))
    if job.status == "accepted":
        await ctx.host.dispatch.complete(job.id, at=ctx.now)
    await ctx.host.events.publish("delivered", {"order_id": data.order_id})
    (view,) = await _views(community, OrderRow.id == data.order_id)
    return view


_FOLLOWED = ("dispatch.job_offered", "dispatch.job_accepted", "dispatch.job_pending")
"""Dispatch's news that changes who an order's volunteer is."""


async def dispatch_changed(host: Host, event: Event) -> None:
    """Follow dispatch's news about a delivery job: its volunteer, and whether it was accepted.

    The order's ``volunteer_id`` is the member dispatch offered or gave the job to (none while
    it waits for one), so each volunteer sees only their own deliveries.
    """
    ref = str(event.payload.get("ref", ""))
    order = ref.removeprefix("delivery-")
    if event.payload.get("module") != host.module or not ref.startswith("delivery-"):
        return
    if event.type not in _FOLLOWED or not order.isdigit() or "job" not in event.payload:
        return
    job = await host.dispatch.get(str(event.payload["job"]))
    values: dict[Any, Any] = {OrderRow.volunteer_id: job.worker_member_id}
    if job.status == "accepted":
        values[OrderRow.status] = "accepted"
    await OrderRow.update(values).where(
        (OrderRow.id == int(order))
        & (OrderRow.community_id == host.community.id)
        & OrderRow.status.is_in(list(_OPEN))
    )


@query(Role.MEMBER)
async def public_account(ctx: Ctx, data: AccountRequest) -> PublicAccount:
    """What was delivered per building in an emergency: counts only, for every member (公示).

    The emergency in force (or the latest one with orders) unless ``emergency_id`` names one.
    """
    community = ctx.community.id
    emergency_id = data.emergency_id
    if emergency_id is None:
        current = await ctx.host.emergency.current()
        latest = (
            await OrderRow.select(OrderRow.emergency_id)
            .where(OrderRow.community_id == community)
            .order_by(OrderRow.id, ascending=False)
            .first()
        )
        emergency_id = current.id if current else (latest or {}).get("emergency_id")
    rows = await OrderRow.select(
        OrderRow.building,
        OrderRow.household_id,
        OrderRow.quantity,
        OrderRow.status,
        OrderRow.pack_id.join_on(PackRow.id).name.as_alias("pack"),
    ).where((OrderRow.community_id == community) & (OrderRow.emergency_id == (emergency_id or "")))
    delivered = [
        Delivered(r["building"], r["household_id"], r["pack"], r["quantity"])
        for r in rows
        if r["status"] == "delivered"
    ]
    buildings = tally(delivered)
    packs: dict[str, int] = {}
    for building in buildings:
        for pack, quantity in building.packs.items():
            packs[pack] = packs.get(pack, 0) + quantity
    return PublicAccount(
        emergency_id=emergency_id,
        buildings=buildings,
        households_served=len({d.household_id for d in delivered}),
        orders_delivered=len(delivered),
        packs_delivered=dict(sorted(packs.items())),
        orders_waiting=sum(1 for r in rows if r["status"] != "delivered"),
    )


OPERATIONS = (dispatch_deliveries, deliveries, confirm_delivery, public_account)
"""The delivery operations, in the order the manifest lists them."""
