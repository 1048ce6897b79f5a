"""Closing a campaign: it forms (capture, confirm, codes) or is cancelled.

A campaign closes at its deadline (the ``close:{campaign_id}`` deadline handler), or
earlier when its leader or an operator calls ``close-campaign-now``: both take the same path,
:func:`close_campaign`, and the second close of a campaign changes nothing. Then
``tier-refunds:{campaign_id}`` refunds the tier difference once the captures are applied, and
``uncollected:{campaign_id}`` (in :mod:`.pickup`) applies the uncollected policy after the
pickup days.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from linli_sdk import Deadline, Forbidden, Host, Money, Role, command, on_deadline

from . import pricing
from .dates import collect_by
from .models import Campaign, CampaignRef, Ctx, campaign_row, campaign_view, tiers_of
from .pickup import uncollected_due
from .pricing import Measure
from .tables import CampaignRow, OrderRow

__all__ = [
    "DEADLINE_HANDLERS",
    "OPERATIONS",
    "close_campaign",
    "close_campaign_now",
    "closes_at_deadline",
    "refund_tier_differences",
    "tier_refunds_due",
]


async def _orders(community_id: int, campaign_id: int, status: str) -> list[dict[str, Any]]:
    return await (
        OrderRow.select()
        .where(
            (OrderRow.community_id == community_id)
            & (OrderRow.campaign_id == campaign_id)
            & (OrderRow.status == status)
        )
        .order_by(OrderRow.id)
    )


async def _new_pickup_code(community_id: int) -> str:
    while True:
        code = f"{secrets.randbelow(10**8):08d}"
        taken = await OrderRow.exists().where(OrderRow.code_key == f"{community_id}:{code}")
        if not taken:
            return code


async def close_campaign(host: Host, campaign_id: int, now: datetime) -> None:
    """Close a campaign now: form it (capture, confirm) or cancel it (void all).

    Run at the deadline and by ``close-campaign-now``. Closing twice changes nothing: the first
    close moves the campaign out of ``open`` with a conditional UPDATE, which also stops any
    later join.
    """
    community = host.community.id
    flipped = await CampaignRow.raw(
        "UPDATE group_buying_campaign SET status = 'closing' "
        "WHERE id = {} AND community_id = {} AND status = 'open' RETURNING id",
        campaign_id,
        community,
    )
    if not flipped:
        return
    campaign = await campaign_row(community, campaign_id)
    orders = await _orders(community, campaign_id, "authorized")
    buyers = len({o["member_id"] for o in orders})
    measure = Measure(campaign["measure"])
    if not pricing.formed(measure, campaign["minimum"], buyers, campaign["sold"]):
        for order in orders:
            await host.payments.void(order["charge_id"])
        await OrderRow.update({OrderRow.status: "cancelled"}).where(
            (OrderRow.community_id == community) & (OrderRow.campaign_id == campaign_id)
        )
        await _set_closed(campaign_id, community, "cancelled", None, now)
        await host.events.publish(
            "campaign_cancelled",
            {
                "campaign_id": campaign_id,
                "reason": "minimum not reached",
                "members": sorted({o["member_id"] for o in orders}),
            },
        )
        return
    base = Money(amount=campaign["unit_price"], currency=campaign["currency"])
    final = pricing.final_unit_price(base, tiers_of(campaign), measure, buyers, campaign["sold"])
    for order in orders:
        await host.payments.capture(order["charge_id"])
        code = await _new_pickup_code(community)
        await OrderRow.update(
            {
                OrderRow.status: "confirmed",
                OrderRow.pickup_code: code,
                OrderRow.code_key: f"{community}:{code}",
                OrderRow.confirmed_at: now,
            }
        ).where(OrderRow.id == order["id"])
    await _set_closed(campaign_id, community, "confirmed", final.amount, now)
    if final < base:
        await host.deadlines.schedule(tier_refunds_due.key(campaign_id=campaign_id), now, {})
    await host.deadlines.schedule(
        uncollected_due.key(campaign_id=campaign_id),
        collect_by(host.community, now, campaign["uncollected_days"]),
        {},
    )
    await host.events.publish(
        "campaign_confirmed",
        {
            "campaign_id": campaign_id,
            "final_unit_price": final.amount,
            "members": sorted({o["member_id"] for o in orders}),
        },
    )


async def _set_closed(
    campaign_id: int, community: int, status: str, final: int | None, now: datetime
) -> None:
    await CampaignRow.update(
        {
            CampaignRow.status: status,
            CampaignRow.final_unit_price: final,
            CampaignRow.closed_at: now,
        }
    ).where((CampaignRow.id == campaign_id) & (CampaignRow.community_id == community))


async def refund_tier_differences(host: Host, campaign_id: int) -> None:
    """Refund each confirmed order the difference down to the final tier's price, once.

    The refund needs the capture applied: if it is not yet, the host refuses, this raises and
    the deadline is retried.
    """
    community = host.community.id
    campaign = await campaign_row(community, campaign_id)
    final = Money(amount=campaign["final_unit_price"], currency=campaign["currency"])
    rows = await (
        OrderRow.select()
        .where((OrderRow.community_id == community) & (OrderRow.campaign_id == campaign_id))
        .order_by(OrderRow.id)
    )
    for order in rows:
        paid = Money(amount=order["unit_price"], currency=order["currency"])
        back = pricing.tier_refund(paid, final, order["quantity"])
        if back.is_zero or order["status"] == "cancelled":
            continue
        await host.payments.refund(
            order["charge_id"], back, reason="tiered price", ref=f"tier-{order['id']}"
        )
        await OrderRow.update(
            {OrderRow.unit_price: final.amount, OrderRow.refunded: OrderRow.refunded + back.amount}
        ).where(OrderRow.id == order["id"])


@command(Role.LEADER, Role.OPERATOR)
async def close_campaign_now(ctx: Ctx, data: CampaignRef) -> Campaign:
    """Close a campaign before its deadline, as the deadline would: it forms or is cancelled.

    For the campaign's leader and the community's operators. Closing a closed campaign answers
    the campaign as it is, with nothing captured or voided again.
    """
    campaign = await campaign_row(ctx.community.id, data.campaign_id)
    if not ctx.caller.has_role(Role.OPERATOR) and campaign["leader_id"] != ctx.caller.member_id:
        raise Forbidden(f"only the leader of campaign {data.campaign_id} or an operator closes it")
    if campaign["status"] == "open":
        await close_campaign(ctx.host, data.campaign_id, ctx.now)
        await ctx.host.deadlines.cancel(closes_at_deadline.key(campaign_id=data.campaign_id))
    return campaign_view(await campaign_row(ctx.community.id, data.campaign_id))


@on_deadline("close:{campaign_id}")
async def closes_at_deadline(host: Host, deadline: Deadline, campaign_id: int) -> None:
    """The campaign's deadline: it forms or is cancelled."""
    await close_campaign(host, campaign_id, deadline.due)


@on_deadline("tier-refunds:{campaign_id}")
async def tier_refunds_due(host: Host, deadline: Deadline, campaign_id: int) -> None:
    """The campaign formed below its base price: refund each order the difference."""
    await refund_tier_differences(host, campaign_id)


OPERATIONS = (close_campaign_now,)
"""The closing operations."""

DEADLINE_HANDLERS = (closes_at_deadline, tier_refunds_due, uncollected_due)
"""Every deadline of the module: closing, tier refunds and the uncollected policy."""
