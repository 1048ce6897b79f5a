"""Campaigns and purchases: open a campaign, buy in it, refund a purchase, its donation receipt."""

from __future__ import annotations

import json

from linli_sdk import Conflict, Document, Empty, InvalidInput, Money, NotFound, Role, command, query

from .donations import donation_due
from .models import (
    STAFF,
    Buy,
    Campaign,
    CampaignList,
    Ctx,
    NewCampaign,
    Purchase,
    PurchaseList,
    PurchaseRef,
    RefundPurchase,
)
from .rules import FUND_PARTY, EntryKind
from .store import (
    fund_for,
    is_recorded,
    load_campaigns,
    money_of,
    one_row,
    order_ref,
    record_entry,
    to_purchase,
)
from .tables import CampaignRow, FundRow, PurchaseRow


@command(*STAFF)
async def create_campaign(ctx: Ctx, data: NewCampaign) -> Campaign:
    """Open a campaign for a named fund (created on first use) and a seller."""
    if data.unit_price.amount <= 0:
        raise InvalidInput("the unit price must be positive", field="unit_price")
    if await ctx.host.members.get(data.seller_id) is None:
        raise InvalidInput(f"member {data.seller_id} is not in this community", field="seller_id")
    community = ctx.community.id
    fund_id = await fund_for(community, data.fund_name, data.fund_kind, data.unit_price.currency)
    row = CampaignRow(
        community_id=community,
        fund_id=fund_id,
        title=data.title,
        description=data.description,
        seller_id=data.seller_id,
        unit_price=data.unit_price.amount,
        currency=data.unit_price.currency,
        created_by=ctx.caller.member_id or 0,
        created_at=ctx.now,
    )
    await row.save()
    (campaign,) = await load_campaigns(community, row.id)
    return campaign


@query(Role.MEMBER)
async def list_campaigns(ctx: Ctx, data: Empty) -> CampaignList:
    """List the community's campaigns, newest first."""
    return CampaignList(items=await load_campaigns(ctx.community.id))


@command(Role.RESIDENT)
async def buy(ctx: Ctx, data: Buy) -> Purchase:
    """Buy in a campaign; the fund's part is recorded once the charge is captured."""
    campaign = await one_row(CampaignRow, ctx.community.id, data.campaign_id, "campaign")
    if not campaign["open"]:
        raise Conflict(f"campaign {data.campaign_id} is closed")
    buyer = ctx.caller.member_id
    assert buyer is not None  # residents are members
    amount = money_of(campaign["unit_price"] * data.quantity, campaign["currency"])
    row = PurchaseRow(
        community_id=ctx.community.id,
        campaign_id=campaign["id"],
        fund_id=campaign["fund_id"],
        buyer_id=buyer,
        seller_id=campaign["seller_id"],
        quantity=data.quantity,
        amount=amount.amount,
        currency=amount.currency,
        created_at=ctx.now,
    )
    await row.save()
    charge = await ctx.host.payments.charge(
        order_ref=order_ref(row.id),
        amount=amount,
        payer_id=buyer,
        payees={"seller": campaign["seller_id"]},
    )
    await PurchaseRow.update({PurchaseRow.charge_id: charge.id}).where(PurchaseRow.id == row.id)
    await ctx.host.deadlines.schedule(donation_due.key(purchase_id=row.id), ctx.now, {})
    return to_purchase(await one_row(PurchaseRow, ctx.community.id, row.id, "purchase"))


@query(Role.MEMBER)
async def my_purchases(ctx: Ctx, data: Empty) -> PurchaseList:
    """List the caller's purchases, newest first."""
    rows = (
        await PurchaseRow.select()
        .where(
            (PurchaseRow.community_id == ctx.community.id)
            & (PurchaseRow.buyer_id == (ctx.caller.member_id or 0))
        )
        .order_by(PurchaseRow.id, ascending=False)
        .limit(100)
    )
    return PurchaseList(items=[to_purchase(r) for r in rows])


@command(*STAFF)
async def refund_purchase(ctx: Ctx, data: RefundPurchase) -> Purchase:
    """Refund part or all of a purchase; the fund gives back its part, pro rata, on its ledger."""
    community = ctx.community.id
    row = await one_row(PurchaseRow, community, data.purchase_id, "purchase")
    if row["failed"]:
        raise Conflict(f"purchase {row['id']} failed: the payment was refused, nothing to refund")
    if row["donated"] is None:
        raise Conflict(f"purchase {row['id']} is not confirmed yet; refund it a little later")
    refund = await ctx.host.payments.refund(
        row["charge_id"], data.amount, reason=data.reason, ref=f"{row['id']}-{data.ref}"
    )
    given_back = refund.parts.get(FUND_PARTY, Money.zero(data.amount.currency))
    key = f"{community}:refund:{refund.id}"
    if not await is_recorded(key):  # a repeated ref returns the first refund: record it once
        await record_entry(
            community,
            row["fund_id"],
            key,
            EntryKind.REFUND,
            -given_back,
            f"refund of purchase {row['id']}: {data.reason}",
            purchase_id=row["id"],
            recorded_by=ctx.caller.member_id,
        )
        await PurchaseRow.update(
            {PurchaseRow.refunded_donation: PurchaseRow.refunded_donation + given_back.amount}
        ).where(PurchaseRow.id == row["id"])
    return to_purchase(await one_row(PurchaseRow, community, row["id"], "purchase"))


@query(Role.MEMBER)
async def donation_receipt(ctx: Ctx, data: PurchaseRef) -> Document:
    """Download the donation receipt (捐赠凭证) of one of the caller's purchases, as JSON."""
    row = await one_row(PurchaseRow, ctx.community.id, data.purchase_id, "purchase")
    staff = ctx.caller.has_role(Role.OPERATOR, Role.AUDITOR)
    if not (staff or row["buyer_id"] == ctx.caller.member_id):
        raise NotFound(f"there is no purchase {data.purchase_id} of yours in this community")
    purchase = to_purchase(row)
    if purchase.donated is None:
        raise Conflict(f"purchase {purchase.id} is not confirmed yet: no receipt")
    fund = await one_row(FundRow, ctx.community.id, purchase.fund_id, "fund")
    body = {
        "receipt": f"DON-{ctx.community.slug}-{purchase.id}",
        "community": ctx.community.name,
        "fund": fund["name"],
        "fund_kind": fund["kind"],
        "donor_member_id": purchase.buyer_id,
        "purchase_amount": purchase.amount.model_dump(),
        "donated": purchase.donated.model_dump(),
        "refunded_donation": purchase.refunded_donation.model_dump(),
        "net_donation": (purchase.donated - purchase.refunded_donation).model_dump(),
        "purchased_at": purchase.created_at.isoformat(),
    }
    return Document(
        content=json.dumps(body, ensure_ascii=False, indent=2).encode(),
        media_type="application/json",
        filename=f"donation-receipt-{purchase.id}.json",
    )
