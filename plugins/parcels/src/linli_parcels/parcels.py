"""Parcels at the pickup point: registered by couriers, listed to residents and hosts, returned.

A courier's back end registers a parcel for a unit at a pickup point (the same tracking number
twice is one parcel) and is charged the commission. Each resident of that unit sees the parcel
with a pickup code of their own (collecting is :mod:`.pickup`); the host sees what waits at
their point, and hands back to the courier what nobody collects.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from linli_sdk import Conflict, Forbidden, NotFound, Role, command, query
from piccolo.custom_types import Combinable

from .charges import COMMISSION, charge_parcel
from .couriers import calling_courier
from .models import Ctx, NewParcel, Parcel, ParcelList, ParcelRef, PointRef
from .rules import Status
from .tables import ParcelRow
from .views import hosted, one_view, resident_unit, views

__all__ = ["HISTORY", "my_parcels", "register_parcel", "return_parcel", "station_parcels"]

HISTORY = timedelta(days=30)
"""How long a resident still sees a parcel after it left the point (collected or returned)."""


@command(Role.PROVIDER_STAFF)
async def register_parcel(ctx: Ctx, data: NewParcel) -> Parcel:
    """A courier leaves a parcel at a pickup point for a unit; the courier pays the commission.

    The same tracking number registered again by the same courier is the same parcel: the
    first answer again, no second charge. The same number for another unit or point is a
    conflict. The commission (``commission`` setting) is charged to the courier's payer
    account and split by the revenue-share rules: the point's host takes the station's share.
    """
    courier = await calling_courier(ctx)
    point = await ctx.host.pickup_points.get(data.point_id)
    if point is None:
        raise NotFound(f"there is no pickup point {data.point_id} in this community")
    if point.host_id is None:
        raise Conflict(f"pickup point {point.name} has no host to hand parcels to")
    commission = ctx.settings.commission
    inserted = (
        await ParcelRow.insert(
            ParcelRow(
                community_id=ctx.community.id,
                parcel_key=f"{ctx.community.id}:{courier['id']}:{data.tracking_number}",
                courier_id=courier["id"],
                tracking_number=data.tracking_number,
                point_id=point.id,
                unit=data.unit,
                secret=secrets.token_hex(16),
                status=Status.WAITING,
                currency=commission.currency,
                commission=commission.amount,
                registered_at=ctx.now,
            )
        )
        .on_conflict(target=ParcelRow.parcel_key, action="DO NOTHING")
        .returning(ParcelRow.id)
    )
    if not inserted:
        return await _registered_before(ctx, courier["id"], data)
    parcel_id = inserted[0]["id"]
    charge_id = await charge_parcel(
        ctx.host,
        parcel_id=parcel_id,
        kind=COMMISSION,
        amount=commission,
        payer_id=courier["payer_id"],
        station_id=point.host_id,
    )
    await ParcelRow.update({ParcelRow.commission_charge_id: charge_id}).where(
        (ParcelRow.id == parcel_id) & (ParcelRow.community_id == ctx.community.id)
    )
    await ctx.host.events.publish("parcel_registered", {"parcel": parcel_id, "point": point.id})
    return await one_view(ctx, parcel_id, show_commission=True)


async def _registered_before(ctx: Ctx, courier_id: int, data: NewParcel) -> Parcel:
    """The parcel this courier registered under the tracking number before."""
    row = (
        await ParcelRow.select(ParcelRow.id, ParcelRow.unit, ParcelRow.point_id)
        .where(
            (ParcelRow.community_id == ctx.community.id)
            & (ParcelRow.parcel_key == f"{ctx.community.id}:{courier_id}:{data.tracking_number}")
        )
        .first()
    )
    assert row is not None  # the insert found it
    if (row["unit"], row["point_id"]) != (data.unit, data.point_id):
        raise Conflict(
            f"tracking number {data.tracking_number} is registered for another unit or point",
            parcel_id=row["id"],
        )
    return await one_view(ctx, row["id"], show_commission=True)


@query(Role.RESIDENT)
async def my_parcels(ctx: Ctx, data: PointRef) -> ParcelList:
    """The parcels addressed to the caller's unit, each waiting one with the caller's own code.

    Also shows what collecting each would cost now (the storage fee past the free days) and
    when its free days end.

    Raises:
        Conflict: The module does not know the caller's unit (the resident is verified for no
            unit, or the operator has not granted ``members.unit`` to the module).

    """
    member_id = ctx.caller.member_id
    assert member_id is not None  # the role check admits members only
    unit = await resident_unit(ctx, member_id, "find the parcels addressed to your unit")
    if unit is None:
        raise Conflict(
            "your unit is not known to the parcels module: be verified for a unit, and the "
            "operator grants it members.unit"
        )
    recent = ctx.now - HISTORY
    where: Combinable = (ParcelRow.unit == unit) & (
        (ParcelRow.status == Status.WAITING)
        | (ParcelRow.collected_at >= recent)
        | (ParcelRow.returned_at >= recent)
    )
    if data.point_id is not None:
        where &= ParcelRow.point_id == data.point_id
    return await views(ctx, where, code_for=member_id)


@query(Role.PICKUP_HOST, Role.OPERATOR, Role.AUDITOR)
async def station_parcels(ctx: Ctx, data: PointRef) -> ParcelList:
    """The parcels waiting at the caller's pickup points, oldest first, with the fee so far.

    A host sees the points they keep; operators and auditors see every point. No pickup code
    is shown: the resident brings it.
    """
    points = await ctx.host.pickup_points.all()
    if ctx.caller.has_role(Role.OPERATOR, Role.AUDITOR):
        visible = [p.id for p in points]
    else:
        visible = hosted(points, ctx.caller.member_id)
    if data.point_id is not None:
        if data.point_id not in visible:
            raise Forbidden(f"pickup point {data.point_id} is not yours to see")
        visible = [data.point_id]
    where = ParcelRow.point_id.is_in(visible or [0]) & (ParcelRow.status == Status.WAITING)
    return await views(ctx, where, show_commission=True)


@command(Role.PICKUP_HOST)
async def return_parcel(ctx: Ctx, data: ParcelRef) -> Parcel:
    """The host hands a waiting parcel back to its courier (退回): nobody collected it.

    Its codes stop working; no storage fee is charged to anyone, and the courier's commission
    stays paid (the point kept the parcel).
    """
    host_id = ctx.caller.member_id
    hosted_here = hosted(await ctx.host.pickup_points.all(), host_id)
    moved = (
        await ParcelRow.update(
            {
                ParcelRow.status: Status.RETURNED,
                ParcelRow.returned_at: ctx.now,
                ParcelRow.handled_by: host_id,
            }
        )
        .where(
            (ParcelRow.id == data.parcel_id)
            & (ParcelRow.community_id == ctx.community.id)
            & ParcelRow.point_id.is_in(hosted_here or [0])
            & (ParcelRow.status == Status.WAITING)
        )
        .returning(ParcelRow.id)
    )
    if not moved:
        raise Conflict(f"parcel {data.parcel_id} is not waiting at a point you keep")
    await ctx.host.events.publish("parcel_returned", {"parcel": data.parcel_id})
    return await one_view(ctx, data.parcel_id, show_commission=True)
