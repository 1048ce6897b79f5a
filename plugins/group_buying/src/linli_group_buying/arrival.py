"""Goods at the pickup point: the buyers are told their order is ready to collect.

When a campaign's goods reach a pickup point (自提点), its pickup host (or the leader) says
so, and every buyer with a confirmed order there gets one ``ready_for_pickup`` notification,
through the community's channels and by the platform's rules (opt-outs, quiet hours, rate
limits). Each order is notified once, however often the arrival is reported.
"""

from __future__ import annotations

from linli_sdk import Conflict, NotificationKind, Role, command
from pydantic import BaseModel, Field

from .models import Ctx, campaign_row
from .tables import OrderRow

__all__ = ["NOTIFICATION_KINDS", "OPERATIONS"]

NOTIFICATION_KINDS = (
    NotificationKind(
        name="ready_for_pickup",
        description="Your group-buy order has reached its pickup point and can be collected.",
        text="{campaign}: order {order_id} is ready at {pickup_point}",
    ),
)
"""The notifications group buying sends."""


class GoodsArrived(BaseModel):
    """A campaign's goods reached one pickup point."""

    campaign_id: int
    pickup_point: str = Field(min_length=1, max_length=120)


class Arrival(BaseModel):
    """How many buyers were told (statuses as the platform decided them)."""

    notified: int
    statuses: dict[str, int]


@command(Role.PICKUP_HOST, Role.LEADER)
async def goods_arrived(ctx: Ctx, data: GoodsArrived) -> Arrival:
    """Tell every buyer with a confirmed order at the point that it is ready for pickup."""
    campaign = await campaign_row(ctx.community.id, data.campaign_id)
    if campaign["status"] != "confirmed":
        raise Conflict(f"campaign {data.campaign_id} is {campaign['status']}, not confirmed")
    orders = (
        await OrderRow.select(OrderRow.id, OrderRow.member_id)
        .where(
            (OrderRow.community_id == ctx.community.id)
            & (OrderRow.campaign_id == data.campaign_id)
            & (OrderRow.pickup_point == data.pickup_point)
            & OrderRow.status.is_in(["confirmed", "partially_collected"])
        )
        .order_by(OrderRow.id)
    )
    statuses: dict[str, int] = {}
    for order in orders:
        sent = await ctx.host.notifications.send(
            order["member_id"],
            "ready_for_pickup",
            {
                "campaign": campaign["title"],
                "order_id": order["id"],
                "pickup_point": data.pickup_point,
            },
            ref=f"ready:{order['id']}",
        )
        statuses[sent.status.value] = statuses.get(sent.status.value, 0) + 1
    return Arrival(notified=len(orders), statuses=statuses)


OPERATIONS = (goods_arrived,)
"""The arrival operations, in the order the manifest lists them."""
