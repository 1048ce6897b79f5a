"""Collecting a parcel: the point's host verifies the code a resident shows (核销).

The code names the resident; its digits open exactly one parcel waiting for that resident's
unit at the host's point. Past the free days, the storage fee is charged to that resident at
once. A code that opens nothing gets one answer whatever the reason, and the platform limits
how fast a host may try codes.
"""

from __future__ import annotations

from linli_sdk import Conflict, Forbidden, InvalidInput, RateLimit, Role, command

from . import rules
from .charges import STORAGE, charge_parcel
from .models import Ctx, Parcel, PickupCode
from .rules import Status
from .tables import ParcelRow
from .views import fee_due, hosted, one_view, resident_unit

__all__ = ["WRONG_CODE", "verify_pickup"]

WRONG_CODE = "this code matches no parcel waiting at your pickup point"
"""One answer for every code that does not open a parcel, so a refusal tells nothing more."""


@command(Role.PICKUP_HOST, rate_limit=RateLimit(per_second=0.5, burst=10))
async def verify_pickup(ctx: Ctx, data: PickupCode) -> Parcel:
    """The point's host verifies the code a resident shows (核销): the parcel is collected.

    Past the free days the storage fee is charged to that resident at once (split by the
    revenue-share rules, the host taking the station's share). A code that opens no parcel
    waiting at the host's points is refused with one answer whatever the reason, and each host
    may try at most 10 codes at once and one more every 2 seconds (HTTP 429 past that).
    """
    host_id = ctx.caller.member_id
    points = hosted(await ctx.host.pickup_points.all(), host_id)
    if not points:
        raise Forbidden("only the host of a pickup point verifies pickups")
    read = rules.read_code(data.code)
    if read is None:
        raise InvalidInput(WRONG_CODE, field="code")
    member_id, digits = read
    unit = await resident_unit(ctx, member_id, "verify a parcel pickup code")
    row = None
    if unit is not None:
        waiting = await ParcelRow.select().where(
            (ParcelRow.community_id == ctx.community.id)
            & (ParcelRow.unit == unit)
            & ParcelRow.point_id.is_in(points)
            & (ParcelRow.status == Status.WAITING)
        )
        row = next((r for r in waiting if rules.matches(r["secret"], member_id, digits)), None)
    if row is None:
        raise InvalidInput(WRONG_CODE, field="code")
    fee = fee_due(ctx, row["registered_at"])
    moved = (
        await ParcelRow.update(
            {
                ParcelRow.status: Status.COLLECTED,
                ParcelRow.collected_at: ctx.now,
                ParcelRow.collected_by: member_id,
                ParcelRow.handled_by: host_id,
                ParcelRow.storage_fee: fee.amount,
            }
        )
        .where(
            (ParcelRow.id == row["id"])
            & (ParcelRow.community_id == ctx.community.id)
            & (ParcelRow.status == Status.WAITING)
        )
        .returning(ParcelRow.id)
    )
    if not moved:
        raise Conflict(f"parcel {row['id']} was collected or returned meanwhile")
    assert host_id is not None  # hosted() found points the caller keeps
    charge_id = await charge_parcel(
        ctx.host,
        parcel_id=row["id"],
        kind=STORAGE,
        amount=fee,
        payer_id=member_id,
        station_id=host_id,
    )
    await ParcelRow.update({ParcelRow.storage_charge_id: charge_id}).where(
        (ParcelRow.id == row["id"]) & (ParcelRow.community_id == ctx.community.id)
    )
    await ctx.host.events.publish("parcel_collected", {"parcel": row["id"]})
    return await one_view(ctx, row["id"])
