"""Parcels from the courier's hand to the resident's: registering, listing, verifying (核销).

A courier's back end registers a parcel for a unit at a pickup point (the same tracking number
twice is one parcel) and is charged the commission. Each resident of that unit sees the parcel
with a pickup code of their own; the point's host verifies the code the resident shows, and the
parcel is collected — the storage fee, past the free days, charged to that resident.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from linli_sdk import (
    Conflict,
    Forbidden,
    InvalidInput,
    Money,
    NotFound,
    PickupPointView,
    RateLimit,
    Role,
    command,
    query,
)
from piccolo.custom_types import Combinable

from . import rules
from .charges import COMMISSION, STORAGE, charge_parcel
from .couriers import calling_courier
from .models import Ctx, NewParcel, Parcel, ParcelList, PickupCode, PointRef
from .rules import Status
from .tables import CourierRow, ParcelRow

__all__ = ["my_parcels", "register_parcel", "station_parcels", "verify_pickup"]

_WRONG_CODE = "this code matches no parcel waiting at your pickup point"
"""One answer for every code that does not open a parcel, so a refusal tells nothing more."""


def _fee_due(ctx: Ctx, registered_at: datetime) -> Money:
    settings = ctx.settings
    amount = rules.storage_fee(
        ctx.now - registered_at,
        free_days=settings.free_days,
        per_day=settings.storage_fee_per_day.amount,
        cap=settings.storage_fee_cap.amount,
    )
    return Money(amount=amount, currency=settings.storage_fee_per_day.currency)


async def _views(
    ctx: Ctx,
    where: Combinable,
    *,
    code_for: int | None = None,
    show_commission: bool = False,
) -> ParcelList:
    """The parcels of this community that ``where`` selects, oldest first.

    ``code_for`` adds that member's pickup code to each waiting parcel (a resident of its unit
    asking); ``show_commission`` adds what the courier was charged.
    """
    rows = (
        await ParcelRow.select()
        .where((ParcelRow.community_id == ctx.community.id) & where)
        .order_by(ParcelRow.id)
    )
    couriers = {
        r["id"]: r["name"]
        for r in await CourierRow.select(CourierRow.id, CourierRow.name).where(
            CourierRow.community_id == ctx.community.id
        )
    }
    points = {p.id: p.name for p in await ctx.host.pickup_points.all()}
    items = []
    for r in rows:
        waiting = r["status"] == Status.WAITING
        items.append(
            Parcel(
                id=r["id"],
                courier=couriers.get(r["courier_id"], ""),
                tracking_number=r["tracking_number"],
                point_id=r["point_id"],
                point_name=points.get(r["point_id"], ""),
                unit=r["unit"],
                status=r["status"],
                registered_at=r["registered_at"],
                free_until=r["registered_at"] + ctx.settings.free_days * rules.DAY,
                collected_at=r["collected_at"],
                storage_fee=_fee_due(ctx, r["registered_at"])
                if waiting
                else Money(amount=r["storage_fee"], currency=r["currency"]),
                storage_charge_id=r["storage_charge_id"],
                commission=Money(amount=r["commission"], currency=r["currency"])
                if show_commission
                else None,
                pickup_code=rules.pickup_code(r["secret"], code_for)
                if waiting and code_for is not None
                else None,
            )
        )
    return ParcelList(items=items)


async def _parcel(ctx: Ctx, parcel_id: int, **view: Any) -> Parcel:
    listed = await _views(ctx, ParcelRow.id == parcel_id, **view)
    return listed.items[0]


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
    return await _parcel(ctx, parcel_id, show_commission=True)


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
    return await _parcel(ctx, row["id"], show_commission=True)


async def _my_unit(ctx: Ctx, member_id: int, purpose: str) -> str | None:
    member = await ctx.host.members.get(member_id, purpose=purpose)
    if member is None or not member.verified:
        return None
    return member.unit


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
    unit = await _my_unit(ctx, member_id, "find the parcels addressed to your unit")
    if unit is None:
        raise Conflict(
            "your unit is not known to the parcels module: be verified for a unit, and the "
            "operator grants it members.unit"
        )
    where: Combinable = ParcelRow.unit == unit
    if data.point_id is not None:
        where &= ParcelRow.point_id == data.point_id
    return await _views(ctx, where, code_for=member_id)


def _hosted(points: Iterable[PickupPointView], member_id: int | None) -> list[int]:
    return [p.id for p in points if member_id is not None and p.host_id == member_id]


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
        visible = _hosted(points, ctx.caller.member_id)
    if data.point_id is not None:
        if data.point_id not in visible:
            raise Forbidden(f"pickup point {data.point_id} is not yours to see")
        visible = [data.point_id]
    where = ParcelRow.point_id.is_in(visible or [0]) & (ParcelRow.status == Status.WAITING)
    return await _views(ctx, where, show_commission=True)


@command(Role.PICKUP_HOST, rate_limit=RateLimit(per_second=0.5, burst=10))
async def verify_pickup(ctx: Ctx, data: PickupCode) -> Parcel:
    """The point's host verifies the code a resident shows (核销): the parcel is collected.

    Past the free days the storage fee is charged to that resident at once (split by the
    revenue-share rules, the host taking the station's share). A code that opens no parcel
    waiting at the host's points is refused with one answer whatever the reason, and each host
    may try at most 10 codes at once and one more every 2 seconds (HTTP 429 past that).
    """
    host_id = ctx.caller.member_id
    hosted = _hosted(await ctx.host.pickup_points.all(), host_id)
    if not hosted:
        raise Forbidden("only the host of a pickup point verifies pickups")
    read = rules.read_code(data.code)
    if read is None:
        raise InvalidInput(_WRONG_CODE, field="code")
    member_id, digits = read
    unit = await _my_unit(ctx, member_id, "verify a parcel pickup code")
    row = None
    if unit is not None:
        waiting = await ParcelRow.select().where(
            (ParcelRow.community_id == ctx.community.id)
            & (ParcelRow.unit == unit)
            & ParcelRow.point_id.is_in(hosted)
            & (ParcelRow.status == Status.WAITING)
        )
        row = next((r for r in waiting if rules.matches(r["secret"], member_id, digits)), None)
    if row is None:
        raise InvalidInput(_WRONG_CODE, field="code")
    fee = _fee_due(ctx, row["registered_at"])
    moved = (
        await ParcelRow.update(
            {
                ParcelRow.status: Status.COLLECTED,
                ParcelRow.collected_at: ctx.now,
                ParcelRow.collected_by: member_id,
                ParcelRow.verified_by: host_id,
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
        raise Conflict(f"parcel {row['id']} was collected meanwhile")
    assert host_id is not None  # _hosted found points the caller keeps
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
    return await _parcel(ctx, row["id"])
