"""Campaigns (团购): a leader or a supplier opens one, members list and read them.

Residents join a campaign in :mod:`.orders`; at its deadline (a durable deadline), or when its
leader or an operator closes it now, it either forms or is cancelled (:mod:`.closing`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from linli_sdk import Host, InvalidInput, Role, command, query
from piccolo.custom_types import Combinable

from .closing import closes_at_deadline
from .models import (
    Campaign,
    CampaignList,
    CampaignRef,
    Ctx,
    ListCampaigns,
    NewCampaign,
    Order,
    TierPrice,
    campaign_row,
    campaign_view,
    order_row,
    order_view,
)
from .pricing import Measure
from .tables import CampaignRow

__all__ = [
    "OPERATIONS",
    "Ctx",
    "Order",
    "campaign_row",
    "get_campaign",
    "list_campaigns",
    "open_campaign",
    "order_row",
    "order_view",
]
# Ctx, Order, campaign_row, order_row and order_view live in .models; named here too for the
# modules that import them from here.


async def _member_with(host: Host, member_id: int, role: Role, what: str) -> None:
    member = await host.members.get(member_id)
    if member is None or role not in member.roles:
        raise InvalidInput(f"{what} {member_id} is not a member with the role {role}", field=what)


async def _pickup_points(host: Host, point_ids: list[int]) -> list[dict[str, Any]]:
    """The campaign's points from the community's network, each with its host (checked)."""
    if len(set(point_ids)) != len(point_ids):
        raise InvalidInput("a pickup point is named twice", field="pickup_point_ids")
    points = []
    for point_id in point_ids:
        point = await host.pickup_points.get(point_id)
        if point is None:
            raise InvalidInput(
                f"there is no pickup point {point_id} here", field="pickup_point_ids"
            )
        if point.host_id is None:
            raise InvalidInput(f"pickup point {point.name} has no host", field="pickup_point_ids")
        points.append({"id": point.id, "name": point.name, "host_id": point.host_id})
    return points


def _checked_tiers(data: NewCampaign) -> list[TierPrice]:
    tiers = sorted(data.tiers, key=lambda t: t.at_least)
    last = data.unit_price
    for tier in tiers:
        if tier.unit_price.currency != data.unit_price.currency:
            raise InvalidInput("every tier is priced in the campaign's currency", field="tiers")
        if not 0 < tier.unit_price.amount < last.amount:
            raise InvalidInput(
                f"the tier from {tier.at_least} must cost less than {last}, more than nothing",
                field="tiers",
            )
        last = tier.unit_price
    if len({t.at_least for t in tiers}) != len(tiers):
        raise InvalidInput("two tiers start at the same count", field="tiers")
    return tiers


@command(Role.LEADER, Role.PROVIDER_STAFF)
async def open_campaign(ctx: Ctx, data: NewCampaign) -> Campaign:
    """Open a group buy until its deadline; it forms at the minimum or refunds everyone.

    A leader names the supplier (``supplier_id``); a supplier names the leader (``leader_id``).
    """
    caller = ctx.caller.member_id
    assert caller is not None
    leader_id: int | None
    supplier_id: int | None
    if ctx.caller.has_role(Role.LEADER) and data.leader_id in (None, caller):
        leader_id, supplier_id = caller, data.supplier_id
    else:
        leader_id, supplier_id = data.leader_id, caller
    if leader_id is None or supplier_id is None:
        raise InvalidInput("name the supplier (supplier_id) or the leader (leader_id)")
    await _member_with(ctx.host, leader_id, Role.LEADER, "leader_id")
    await _member_with(ctx.host, supplier_id, Role.PROVIDER_STAFF, "supplier_id")
    points = await _pickup_points(ctx.host, data.pickup_point_ids)
    if not ctx.now < data.deadline <= ctx.now + timedelta(days=ctx.settings.max_campaign_days):
        raise InvalidInput(
            f"the deadline must be within {ctx.settings.max_campaign_days} days from now",
            field="deadline",
        )
    if data.per_person_limit > data.stock_cap:
        raise InvalidInput("the per-person limit exceeds the stock", field="per_person_limit")
    if data.measure is Measure.QUANTITY and data.minimum > data.stock_cap:
        raise InvalidInput("the minimum exceeds the stock", field="minimum")
    tiers = _checked_tiers(data)
    row = CampaignRow(
        community_id=ctx.community.id,
        title=data.title,
        product=data.product,
        currency=data.unit_price.currency,
        unit_price=data.unit_price.amount,
        tiers=[{"at_least": t.at_least, "unit_price": t.unit_price.amount} for t in tiers],
        stock_cap=data.stock_cap,
        sold=0,
        per_person_limit=data.per_person_limit,
        measure=data.measure.value,
        minimum=data.minimum,
        deadline=data.deadline,
        pickup_points=points,
        creator_id=caller,
        leader_id=leader_id,
        supplier_id=supplier_id,
        status="open",
        uncollected_days=ctx.settings.uncollected_days,
        uncollected_policy=ctx.settings.uncollected_policy.value,
        created_at=ctx.now,
        essential=data.essential,
    )
    await row.save()
    key = closes_at_deadline.key(campaign_id=row.id)
    await ctx.host.deadlines.schedule(key, data.deadline, {})
    await ctx.host.events.publish(
        "campaign_opened",
        {"campaign_id": row.id, "title": data.title, "deadline": data.deadline.isoformat()},
    )
    return campaign_view(await campaign_row(ctx.community.id, row.id))


@query(Role.MEMBER)
async def list_campaigns(ctx: Ctx, data: ListCampaigns) -> CampaignList:
    """List the community's campaigns, newest first."""
    where: Combinable = CampaignRow.community_id == ctx.community.id
    if data.status:
        where &= CampaignRow.status == data.status
    rows = await (
        CampaignRow.select()
        .where(where)
        .order_by(CampaignRow.id, ascending=False)
        .limit(data.limit)
        .output(load_json=True)
    )
    return CampaignList(items=[campaign_view(r) for r in rows])


@query(Role.MEMBER)
async def get_campaign(ctx: Ctx, data: CampaignRef) -> Campaign:
    """One campaign, with the stock left."""
    return campaign_view(await campaign_row(ctx.community.id, data.campaign_id))


OPERATIONS = (open_campaign, list_campaigns, get_campaign)
"""The campaign operations, in the order the manifest lists them."""
