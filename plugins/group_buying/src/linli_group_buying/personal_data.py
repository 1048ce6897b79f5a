"""A resident's group buys: their copy (PIPL art. 45) and their erasure (art. 47)."""

from __future__ import annotations

from linli_sdk import Host, MemberErasure, MemberRecords, hookimpl

from .live_tables import LiveOrder
from .tables import CampaignRow, ClaimRow, OrderRow, PickupRow

__all__ = ["linli_member_data", "linli_member_erased"]

KEPT = (
    "Orders, pickups, claims and live-sale orders stay as the accounting records of what was "
    "bought, paid, refunded and compensated (accounting law), without pickup codes, the "
    "names of neighbours who collected for you, or your claims' notes and photos. Campaigns "
    "you opened stay as the community's."
)


@hookimpl
async def linli_member_data(host: Host, member_id: int) -> list[MemberRecords]:
    """The member's orders, their pickups and claims, live-sale orders, campaigns opened."""
    community = host.community.id
    orders = await OrderRow.select().where(
        (OrderRow.community_id == community) & (OrderRow.member_id == member_id)
    )
    ids = [order["id"] for order in orders]
    pickups = (
        await PickupRow.select().where(
            (PickupRow.community_id == community) & PickupRow.order_id.is_in(ids)
        )
        if ids
        else []
    )
    claims = await ClaimRow.select().where(
        (ClaimRow.community_id == community) & (ClaimRow.member_id == member_id)
    )
    live = await LiveOrder.select().where(
        (LiveOrder.community_id == community) & (LiveOrder.buyer_id == member_id)
    )
    campaigns = await CampaignRow.select(
        CampaignRow.id, CampaignRow.title, CampaignRow.status, CampaignRow.created_at
    ).where((CampaignRow.community_id == community) & (CampaignRow.creator_id == member_id))
    return [
        MemberRecords.of(
            "orders", "Your group-buy orders: quantity, price, pickup point and code.", orders
        ),
        MemberRecords.of("pickups", "Each handover of your orders at the pickup point.", pickups),
        MemberRecords.of("claims", "Your damaged-item claims and their outcome.", claims),
        MemberRecords.of("live_orders", "What you bought in live flash sales.", live),
        MemberRecords.of("campaigns", "Group buys you opened.", campaigns),
    ]


@hookimpl
async def linli_member_erased(host: Host, member_id: int) -> MemberErasure:
    """Clear pickup codes, proxies' names and claim notes and photos; the records stay."""
    community = host.community.id
    mine = (OrderRow.community_id == community) & (OrderRow.member_id == member_id)
    codes = (
        await OrderRow.update({OrderRow.pickup_code: None, OrderRow.code_key: None})
        .where(mine & OrderRow.pickup_code.is_not_null())
        .returning(OrderRow.id)
    )
    ids = [row["id"] for row in await OrderRow.select(OrderRow.id).where(mine)]
    proxies = (
        await PickupRow.update({PickupRow.proxy: ""})
        .where(
            (PickupRow.community_id == community)
            & PickupRow.order_id.is_in(ids)
            & (PickupRow.proxy != "")
        )
        .returning(PickupRow.id)
        if ids
        else []
    )
    claims = (
        await ClaimRow.update({ClaimRow.note: "", ClaimRow.photo_id: ""})
        .where(
            (ClaimRow.community_id == community)
            & (ClaimRow.member_id == member_id)
            & ((ClaimRow.note != "") | (ClaimRow.photo_id != ""))
        )
        .returning(ClaimRow.id)
    )
    return MemberErasure(erased=len(codes) + len(proxies) + len(claims), kept=KEPT)
