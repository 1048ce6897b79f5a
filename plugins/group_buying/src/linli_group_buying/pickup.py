"""Pickup (自提): codes and QR images, verification (核销) at the point, and the uncollected.

Each confirmed order carries an eight-digit pickup code, also as a QR image. The pickup host
verifies it at the point, for all the units or some (partial pickup), for the buyer or for a
neighbour who brings the code (proxy pickup). A fully collected order releases its charge for
payout (``host.payments.release``) and earns the buyer an on-time credit event. After the
campaign's pickup days, what is left follows the module's uncollected policy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from linli_sdk import (
    Conflict,
    Deadline,
    Document,
    Forbidden,
    GoodsLine,
    GoodsOrder,
    Host,
    Money,
    NotFound,
    Role,
    command,
    on_deadline,
    qr_png,
    query,
)
from pydantic import BaseModel, Field

from .dates import collect_by
from .models import Ctx, Order, campaign_row, order_row, order_view
from .settings import UncollectedPolicy
from .tables import OrderRow, PickupRow

__all__ = ["OPERATIONS", "apply_uncollected_policy", "uncollected_due"]

COLLECTED_ON_TIME_WEIGHT = 2
NO_SHOW_WEIGHT = -5


class OrderRef(BaseModel):
    """One order, by id."""

    order_id: int


class VerifyPickup(BaseModel):
    """A code shown at the pickup point, and how many units are handed over."""

    code: str = Field(pattern=r"^\d{8}$")
    quantity: int | None = Field(default=None, ge=1, description="All that is left by default.")
    proxy: str = Field(
        default="", max_length=60, description="Who collected, if not the buyer (代取)."
    )


class Pickup(BaseModel):
    """What a verification did: the order as it stands now and what was handed over."""

    order: Order
    handed_over: int
    remaining: int
    proxy: str


class GoodsRequest(BaseModel):
    """Which goods document of a confirmed campaign, in which format."""

    campaign_id: int
    kind: str = Field(default="pick-lists", pattern="^(pick-lists|grid-manifests|truck-runs)$")
    format: str = Field(default="pdf", pattern="^(pdf|csv)$")
    grid: str = Field(
        default="grid-1",
        max_length=60,
        description="The grid warehouse (网格仓) of points the network names none for.",
    )
    truck_capacity: int = Field(default=1000, ge=1)


@query(Role.MEMBER)
async def pickup_qr(ctx: Ctx, data: OrderRef) -> Document:
    """The pickup code of one of the caller's confirmed orders as a QR image (PNG)."""
    order = await order_row(ctx.community.id, data.order_id)
    if order["member_id"] != ctx.caller.member_id:
        raise NotFound(f"there is no order {data.order_id} of yours")
    if not order["pickup_code"]:
        raise Conflict(f"order {data.order_id} has no pickup code (it is {order['status']})")
    return Document(
        content=qr_png(order["pickup_code"]),
        media_type="image/png",
        filename=f"pickup-{data.order_id}.png",
    )


async def _release_if_done(host: Host, order: dict[str, Any], now: datetime) -> None:
    await host.payments.release(order["charge_id"])
    campaign = await campaign_row(host.community.id, order["campaign_id"])
    closed_at = campaign["closed_at"] or now
    if now < collect_by(host.community, closed_at, campaign["uncollected_days"]):
        await host.credit.emit(
            member_id=order["member_id"],
            event="collected_on_time",
            weight=COLLECTED_ON_TIME_WEIGHT,
            event_id=f"collected-{order['id']}",
        )


@command(Role.PICKUP_HOST)
async def verify_pickup(ctx: Ctx, data: VerifyPickup) -> Pickup:
    """Verify (核销) a pickup code at the caller's point and hand over units.

    Partial pickups leave the rest for later; a neighbour may collect with the code (``proxy``).
    The fully collected order's charge is released for payout.
    """
    community = ctx.community.id
    order = await OrderRow.select().where(OrderRow.code_key == f"{community}:{data.code}").first()
    if order is None:
        raise NotFound("no order has this pickup code")
    if order["pickup_host_id"] != ctx.caller.member_id:
        raise Forbidden(f"this order is collected at {order['pickup_point']}, not at your point")
    if order["status"] not in ("confirmed", "partially_collected"):
        raise Conflict(f"order {order['id']} is {order['status']}", order_status=order["status"])
    left = order["quantity"] - order["collected"]
    n = data.quantity or left
    taken = await OrderRow.raw(
        "UPDATE group_buying_order SET collected = collected + {} "
        "WHERE id = {} AND collected + {} <= quantity RETURNING collected",
        n,
        order["id"],
        n,
    )
    if not taken:
        raise Conflict(f"only {left} left to collect on this order", remaining=left)
    collected = taken[0]["collected"]
    done = collected == order["quantity"]
    await OrderRow.update(
        {
            OrderRow.status: "collected" if done else "partially_collected",
            OrderRow.collected_at: ctx.now,
        }
    ).where(OrderRow.id == order["id"])
    await PickupRow.insert(
        PickupRow(
            community_id=community,
            order_id=order["id"],
            host_id=ctx.caller.member_id,
            quantity=n,
            proxy=data.proxy,
            verified_at=ctx.now,
        )
    )
    if done:
        await _release_if_done(ctx.host, order, ctx.now)
    await ctx.host.events.publish(
        "pickup_verified",
        {"order_id": order["id"], "quantity": n, "remaining": order["quantity"] - collected},
    )
    return Pickup(
        order=order_view(await order_row(community, order["id"])),
        handed_over=n,
        remaining=order["quantity"] - collected,
        proxy=data.proxy,
    )


def _masked(name: str) -> str:
    return name[:1] + "*" * max(1, min(3, len(name) - 1))


@query(Role.LEADER, Role.PICKUP_HOST, Role.PROVIDER_STAFF, Role.OPERATOR)
async def goods_documents(ctx: Ctx, data: GoodsRequest) -> Document:
    """Pick lists per pickup point or manifests of a confirmed campaign, printed by dispatch."""
    campaign = await campaign_row(ctx.community.id, data.campaign_id)
    if campaign["status"] != "confirmed":
        raise Conflict(f"campaign {data.campaign_id} is {campaign['status']}, not confirmed")
    rows = await (
        OrderRow.select()
        .where(
            (OrderRow.community_id == ctx.community.id)
            & (OrderRow.campaign_id == data.campaign_id)
            & (OrderRow.status != "cancelled")
        )
        .order_by(OrderRow.id)
    )
    orders = []
    for row in rows:
        member = await ctx.host.members.get(row["member_id"])
        orders.append(
            GoodsOrder(
                ref=f"{row['id']} / {row['pickup_code']}",
                member=_masked(member.display_name if member else "?"),
                pickup_point=row["pickup_point"],
                lines=(
                    GoodsLine(
                        sku=f"gb-{campaign['id']}", name=campaign["title"], quantity=row["quantity"]
                    ),
                ),
            )
        )
    if not orders:
        raise Conflict(f"campaign {data.campaign_id} has no orders to deliver")
    return await ctx.host.dispatch.goods_documents(
        data.kind,
        orders,
        format=data.format,
        grid_of=await _grids(ctx, campaign, data.grid),
        truck_capacity=data.truck_capacity,
    )


async def _grids(ctx: Ctx, campaign: dict[str, Any], default: str) -> dict[str, str]:
    """Each of the campaign's points -> its grid warehouse in the network (else ``default``)."""
    grids = {}
    for offered in campaign["pickup_points"]:
        point = await ctx.host.pickup_points.get(offered.get("id", 0))
        grid = point.grid_warehouse if point is not None else None
        grids[offered["name"]] = grid or default
    return grids


async def apply_uncollected_policy(host: Host, campaign_id: int) -> None:
    """After the pickup days: refund or keep what nobody collected, release, note no-shows."""
    community = host.community.id
    campaign = await campaign_row(community, campaign_id)
    policy = UncollectedPolicy(campaign["uncollected_policy"])
    rows = await (
        OrderRow.select()
        .where(
            (OrderRow.community_id == community)
            & (OrderRow.campaign_id == campaign_id)
            & OrderRow.status.is_in(["confirmed", "partially_collected"])
        )
        .order_by(OrderRow.id)
    )
    for order in rows:
        left = order["quantity"] - order["collected"]
        if policy is UncollectedPolicy.REFUND:
            unit = Money(amount=order["unit_price"], currency=order["currency"])
            back = unit * left
            await host.payments.refund(
                order["charge_id"], back, reason="not collected", ref=f"uncollected-{order['id']}"
            )
            await OrderRow.update({OrderRow.refunded: OrderRow.refunded + back.amount}).where(
                OrderRow.id == order["id"]
            )
        await OrderRow.update({OrderRow.status: "uncollected"}).where(OrderRow.id == order["id"])
        await host.payments.release(order["charge_id"])
        await host.credit.emit(
            member_id=order["member_id"],
            event="no_show",
            weight=NO_SHOW_WEIGHT,
            event_id=f"no-show-{order['id']}",
        )
    if rows:
        await host.events.publish(
            "orders_uncollected",
            {"campaign_id": campaign_id, "orders": [o["id"] for o in rows], "policy": policy},
        )


OPERATIONS = (pickup_qr, verify_pickup, goods_documents)
"""The pickup operations, in the order the manifest lists them."""


@on_deadline("uncollected:{campaign_id}")
async def uncollected_due(host: Host, deadline: Deadline, campaign_id: int) -> None:
    """The campaign's pickup days are over: apply the uncollected policy."""
    await apply_uncollected_policy(host, campaign_id)
