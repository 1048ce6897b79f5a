"""After-sale (售后): a damaged-item claim with a photo, compensated automatically.

Inside the window after pickup (48 h by default) a resident claims damaged units with a photo
(an :class:`~linli_sdk.Upload`). The claim is paid at once as a partial refund of the order's
charge, at the final unit price per damaged unit, never more than what is left of what the
resident paid and never past the resident's monthly limit
(:func:`.pricing.claim_compensation`); never more either than the parties still hold of the
charge (an operator may have refunded part of it directly).

Claims on one order are taken one at a time (the order row is locked first), so concurrent
retries cannot pay twice. A claim on an order already compensated in full is refused without
any credit event: it is a retry, not abuse. A claim refused because the resident's monthly
limit is used up lowers their credit (abuse), at most once per order; every paid claim is a
credit event too, so a pattern shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from linli_sdk import Community, Conflict, InvalidInput, Money, NotFound, Role, Upload, command
from pydantic import BaseModel, Field

from . import pricing
from .models import Ctx, order_row
from .tables import ClaimRow, OrderRow

__all__ = ["OPERATIONS", "Claim", "DamageClaim"]

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic"})
CLAIM_WEIGHT = -1
ABUSE_WEIGHT = -10


class DamageClaim(BaseModel):
    """Damaged units of a collected order, with a photo (sent as multipart/form-data)."""

    order_id: int
    damaged: int = Field(ge=1)
    photo: Upload
    note: str = Field(default="", max_length=500)


class Claim(BaseModel):
    """What a claim was paid, or why not."""

    id: int
    order_id: int
    damaged: int
    photo_id: str
    status: str
    compensation: Money
    reason: str


def _month_start(community: Community, now: datetime) -> datetime:
    """When ``now``'s calendar month began in the community's time zone."""
    return community.start_of(community.today(now).replace(day=1))


async def _locked_order(community: int, order_id: int) -> dict[str, Any]:
    """The order row, locked until the call's transaction ends, so claims on it queue."""
    await OrderRow.raw(
        "UPDATE group_buying_order SET compensated = compensated "
        "WHERE id = {} AND community_id = {}",
        order_id,
        community,
    )
    return await order_row(community, order_id)


async def _refund_within_held(ctx: Ctx, charge_id: str, wanted: Money, ref: str) -> Money:
    """Refund ``wanted`` of the charge, or all the parties still hold of it if that is less.

    Returns what was refunded (zero when they hold nothing).
    """
    left = (await ctx.host.payments.get(charge_id)).remaining
    amount = Money(amount=min(wanted.amount, left.amount), currency=wanted.currency)
    if amount.is_zero:
        return amount
    refund = await ctx.host.payments.refund(charge_id, amount, reason="damaged item", ref=ref)
    return refund.amount


async def _this_month(community: Community, member: int, now: datetime, currency: str) -> Money:
    month = await ClaimRow.select(ClaimRow.compensation).where(
        (ClaimRow.community_id == community.id)
        & (ClaimRow.member_id == member)
        & (ClaimRow.claimed_at >= _month_start(community, now))
    )
    return Money(amount=sum(r["compensation"] for r in month), currency=currency)


def _check(ctx: Ctx, order: dict[str, Any], data: DamageClaim) -> None:
    if order["member_id"] != ctx.caller.member_id:
        raise NotFound(f"there is no order {data.order_id} of yours")
    if order["collected"] == 0 or order["collected_at"] is None:
        raise Conflict(f"order {data.order_id} has not been collected yet")
    window = timedelta(hours=ctx.settings.claim_window_hours)
    if ctx.now > order["collected_at"] + window:
        raise Conflict(
            f"claims close {ctx.settings.claim_window_hours} h after pickup", reason="too_late"
        )
    if data.damaged > order["collected"]:
        raise InvalidInput(f"only {order['collected']} units were collected", field="damaged")
    if data.photo.media_type not in PHOTO_TYPES:
        raise InvalidInput("the photo must be a JPEG, PNG, WebP or HEIC image", field="photo")


@command(Role.RESIDENT)
async def claim_damage(ctx: Ctx, data: DamageClaim) -> Claim:
    """Claim damaged units of a collected order with a photo; paid at once within the policy.

    Compensation is the final unit price per damaged unit, at most what is left of the order's
    payment and of the monthly limit per resident. A claim past the monthly limit is refused
    and lowers credit (once per order); a claim on an order compensated in full is refused
    and costs nothing.
    """
    community, member = ctx.community.id, ctx.caller.member_id
    assert member is not None
    order = await _locked_order(community, data.order_id)
    _check(ctx, order, data)
    await ctx.host.files.read(data.photo.id)  # the photo must be this module's upload
    currency = order["currency"]

    def money(amount: int) -> Money:
        return Money(amount=amount, currency=currency)

    compensation = pricing.claim_compensation(
        unit_price=money(order["unit_price"]),
        damaged=data.damaged,
        quantity=order["quantity"],
        paid=money(order["amount"]),
        already_compensated=money(order["compensated"]),
        order_refunded=money(order["refunded"]),
        compensated_this_month=await _this_month(ctx.community, member, ctx.now, currency),
        monthly_limit=ctx.settings.claim_monthly_limit,
    )
    left = pricing.order_left(
        money(order["amount"]), money(order["refunded"]), money(order["compensated"])
    )
    row = ClaimRow(
        community_id=community,
        order_id=order["id"],
        member_id=member,
        damaged=data.damaged,
        photo_id=data.photo.id,
        note=data.note,
        currency=currency,
        compensation=0,
        status="refused",
        reason="",
        claimed_at=ctx.now,
    )
    await row.save()
    # nothing asked while something is left of the order: the monthly limit is used up
    abuse = compensation.is_zero and left.amount > 0
    if not compensation.is_zero:
        compensation = await _refund_within_held(
            ctx, order["charge_id"], compensation, ref=f"claim-{row.id}"
        )
    if not compensation.is_zero:
        status, reason = "compensated", ""
        await OrderRow.update(
            {OrderRow.compensated: OrderRow.compensated + compensation.amount}
        ).where(OrderRow.id == order["id"])
        await ctx.host.credit.emit(
            member_id=member, event="damage_claim", weight=CLAIM_WEIGHT, event_id=f"claim-{row.id}"
        )
    elif abuse:
        status, reason = "refused", "the monthly limit is used up"
    else:
        status, reason = "refused", "the order is already compensated or refunded in full"
    await ClaimRow.update(
        {
            ClaimRow.status: status,
            ClaimRow.reason: reason,
            ClaimRow.compensation: compensation.amount,
        }
    ).where(ClaimRow.id == row.id)
    if abuse:
        await ctx.host.credit.emit(
            member_id=member,
            event="claim_abuse",
            weight=ABUSE_WEIGHT,
            event_id=f"claim-abuse-order-{order['id']}",
        )
    await ctx.host.events.publish(
        f"claim_{status}",
        {"claim_id": row.id, "order_id": order["id"], "compensation": compensation.amount},
    )
    return Claim(
        id=row.id,
        order_id=order["id"],
        damaged=data.damaged,
        photo_id=data.photo.id,
        status=status,
        compensation=compensation,
        reason=reason,
    )


OPERATIONS = (claim_damage,)
"""The after-sale operations."""
