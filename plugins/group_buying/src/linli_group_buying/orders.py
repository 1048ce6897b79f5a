"""Orders (下单): a resident joins an open campaign and lists their orders.

Joining takes a unit of stock with one conditional ``UPDATE`` (never oversold, also under
concurrent joins) and the per-person allowance the same way, then authorises the payment
through the host (``capture=False``); the campaign's close captures or voids it
(:mod:`.closing`). Each order is reported as a purchase fact (``host.purchases``) under the
campaign's product, so repurchases of one product across campaigns count together.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import Conflict, InvalidInput, Money, PickupPointView, Role, command, query

from . import pricing
from .models import (
    Ctx,
    JoinCampaign,
    ListOrders,
    Order,
    OrderList,
    campaign_row,
    order_row,
    order_view,
)
from .tables import CampaignRow, OrderRow, ParticipantRow

__all__ = ["OPERATIONS", "join_campaign", "my_orders", "payees"]


async def _take_allowance(community: int, campaign: dict[str, Any], member: int, n: int) -> bool:
    key = f"{community}:{campaign['id']}:{member}"
    await ParticipantRow.insert(
        ParticipantRow(
            community_id=community, campaign_id=campaign["id"], member_id=member, key=key
        )
    ).on_conflict(target=ParticipantRow.key, action="DO NOTHING")
    taken = await ParticipantRow.raw(
        "UPDATE group_buying_participant SET quantity = quantity + {} "
        "WHERE key = {} AND quantity + {} <= {} RETURNING quantity",
        n,
        key,
        n,
        campaign["per_person_limit"],
    )
    return bool(taken)


async def _give_back_allowance(community: int, campaign_id: int, member: int, n: int) -> None:
    await ParticipantRow.raw(
        "UPDATE group_buying_participant SET quantity = quantity - {} WHERE key = {}",
        n,
        f"{community}:{campaign_id}:{member}",
    )


async def _take_stock(community: int, campaign_id: int, n: int) -> bool:
    """Take ``n`` units in one conditional UPDATE: it never lets ``sold`` pass the cap."""
    taken = await CampaignRow.raw(
        "UPDATE group_buying_campaign SET sold = sold + {} "
        "WHERE id = {} AND community_id = {} AND status = 'open' AND sold + {} <= stock_cap "
        "RETURNING sold",
        n,
        campaign_id,
        community,
        n,
    )
    return bool(taken)


def payees(campaign: dict[str, Any], point: PickupPointView) -> dict[str, int]:
    """Who is paid each share of an order (platform and fund are the house's).

    The pickup host is the point's; the leader is the point's leader (团长), or the campaign's
    when the point has none.
    """
    assert point.host_id is not None
    return {
        "leader": point.leader_id or campaign["leader_id"],
        "pickup_host": point.host_id,
        "supplier": campaign["supplier_id"],
    }


async def _pickup_point(ctx: Ctx, campaign: dict[str, Any], point_id: int) -> PickupPointView:
    """The campaign's point ``point_id`` as the network has it now (its host may have changed)."""
    offered = {p.get("id"): p["name"] for p in campaign["pickup_points"]}
    if point_id not in offered:
        choices = ", ".join(f"{i} ({name})" for i, name in offered.items())
        message = f"pickup point {point_id} is not one of this campaign's: {choices}"
        raise InvalidInput(message, field="pickup_point_id")
    point = await ctx.host.pickup_points.get(point_id)
    if point is None or point.host_id is None:
        raise Conflict(f"pickup point {offered[point_id]} is closed", reason="point_closed")
    return point


@command(Role.RESIDENT)
async def join_campaign(ctx: Ctx, data: JoinCampaign) -> Order:
    """Order ``quantity`` units for a pickup point; the payment is authorised, not taken.

    Refused after the deadline, beyond the stock left and beyond the per-person limit, and
    while an emergency is in force here unless the campaign is marked essential.
    """
    community, member = ctx.community.id, ctx.caller.member_id
    assert member is not None
    campaign = await campaign_row(community, data.campaign_id)
    if campaign["status"] != "open" or ctx.now >= campaign["deadline"]:
        raise Conflict(f"campaign {data.campaign_id} is closed to orders", reason="closed")
    if not campaign["essential"] and (emergency := await ctx.host.emergency.current()):
        raise Conflict(
            f"campaign {data.campaign_id} is paused while the {emergency.kind} emergency is in "
            "force here; only essential campaigns take orders",
            reason="paused_for_emergency",
            emergency=emergency.id,
        )
    point = await _pickup_point(ctx, campaign, data.pickup_point_id)
    limit = campaign["per_person_limit"]
    if not await _take_allowance(community, campaign, member, data.quantity):
        raise Conflict(f"at most {limit} per person in this campaign", limit=limit)
    if not await _take_stock(community, data.campaign_id, data.quantity):
        await _give_back_allowance(community, data.campaign_id, member, data.quantity)
        fresh = await campaign_row(community, data.campaign_id)
        left = fresh["stock_cap"] - fresh["sold"]
        raise Conflict(f"only {left} left of campaign {data.campaign_id}", left=left)
    unit = Money(amount=campaign["unit_price"], currency=campaign["currency"])
    amount = pricing.order_amount(unit, data.quantity)
    row = OrderRow(
        community_id=community,
        campaign_id=data.campaign_id,
        member_id=member,
        quantity=data.quantity,
        pickup_point=point.name,
        pickup_host_id=point.host_id,
        currency=unit.currency,
        unit_price=unit.amount,
        amount=amount.amount,
        charge_id="",
        status="authorized",
        created_at=ctx.now,
    )
    await row.save()
    charge = await ctx.host.payments.charge(
        order_ref=f"order-{row.id}",
        amount=amount,
        payer_id=member,
        payees=payees(campaign, point),
        capture=False,
    )
    await OrderRow.update({OrderRow.charge_id: charge.id}).where(OrderRow.id == row.id)
    await ctx.host.purchases.record(
        ref=f"order-{row.id}",
        member_id=member,
        item=pricing.product_key(campaign["product"]),
        item_name=campaign["title"],
        category="groceries",
        quantity=data.quantity,
        amount=amount,
        pickup_point_id=point.id,
    )
    await ctx.host.events.publish(
        "order_placed",
        {"order_id": row.id, "campaign_id": data.campaign_id, "quantity": data.quantity},
    )
    return order_view(await order_row(community, row.id))


@query(Role.MEMBER)
async def my_orders(ctx: Ctx, data: ListOrders) -> OrderList:
    """The caller's orders, newest first, with their pickup codes once confirmed.

    ``status`` keeps the orders in that status (e.g. ``collected``).
    """
    where = (OrderRow.community_id == ctx.community.id) & (
        OrderRow.member_id == ctx.caller.member_id
    )
    if data.status is not None:
        where &= OrderRow.status == data.status.value
    rows = await (
        OrderRow.select().where(where).order_by(OrderRow.id, ascending=False).limit(data.limit)
    )
    return OrderList(items=[order_view(r) for r in rows])


OPERATIONS = (join_campaign, my_orders)
"""The order operations, in the order the manifest lists them."""
