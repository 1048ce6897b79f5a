"""After-sale (售后): a damaged-item claim with a photo, compensated automatically.

Inside the window after pickup (48 h by default) a resident claims damaged units with a photo
(an :class:`~linli_sdk.Upload`). The claim is paid at once as a partial refund of the order's
charge, at the final unit price per damaged unit, never more than the order's price and never
past the resident's monthly limit (:func:`.pricing.claim_compensation`). A claim past the
monthly limit is refused and lowers the resident's credit (abuse); every paid claim is a
credit event too, so a pattern shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from linli_sdk import Conflict, InvalidInput, Money, NotFound, Role, Upload, command
from pydantic import BaseModel, Field

from . import pricing
from .campaigns import Ctx, order_row
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


def _month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@command(Role.RESIDENT)
async def claim_damage(ctx: Ctx, data: DamageClaim) -> Claim:
    """Claim damaged units of a collected order with a photo; paid at once within the policy.

    Compensation is the final unit price per damaged unit, at most the order's price and the
    monthly limit per resident. A claim past the monthly limit is refused and lowers credit.
    """
    community, member = ctx.community.id, ctx.caller.member_id
    order = await order_row(community, data.order_id)
    if order["member_id"] != member:
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
    await ctx.host.files.read(data.photo.id)  # the photo must be this module's upload
    currency = order["currency"]
    month = await ClaimRow.select(ClaimRow.compensation).where(
        (ClaimRow.community_id == community)
        & (ClaimRow.member_id == member)
        & (ClaimRow.claimed_at >= _month_start(ctx.now))
    )
    this_month = Money(amount=sum(r["compensation"] for r in month), currency=currency)
    limit = Money(amount=ctx.settings.claim_monthly_limit, currency=currency)
    compensation = pricing.claim_compensation(
        unit_price=Money(amount=order["unit_price"], currency=currency),
        damaged=data.damaged,
        quantity=order["quantity"],
        already_compensated=Money(amount=order["compensated"], currency=currency),
        order_refunded=Money(amount=order["refunded"], currency=currency),
        compensated_this_month=this_month,
        monthly_limit=limit,
    )
    status, reason = "compensated", ""
    if compensation.is_zero:
        status = "refused"
        reason = "the monthly limit or the order's price is used up"
    row = ClaimRow(
        community_id=community,
        order_id=order["id"],
        member_id=member,
        damaged=data.damaged,
        photo_id=data.photo.id,
        note=data.note,
        currency=currency,
        compensation=compensation.amount,
        status=status,
        reason=reason,
        claimed_at=ctx.now,
    )
    await row.save()
    if status == "compensated":
        await ctx.host.payments.refund(
            order["charge_id"], compensation, reason="damaged item", ref=f"claim-{row.id}"
        )
        await OrderRow.update(
            {OrderRow.compensated: OrderRow.compensated + compensation.amount}
        ).where(OrderRow.id == order["id"])
    await ctx.host.credit.emit(
        member_id=member,
        event="damage_claim" if status == "compensated" else "claim_abuse",
        weight=CLAIM_WEIGHT if status == "compensated" else ABUSE_WEIGHT,
        event_id=f"claim-{row.id}",
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
