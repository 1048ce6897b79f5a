"""How parcels are shown: one view per row, with what collecting costs now, and whose unit.

Shared by the operations in :mod:`.parcels` and :mod:`.pickup`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from linli_sdk import Money, PickupPointView
from piccolo.custom_types import Combinable

from . import rules
from .models import Ctx, Parcel, ParcelList
from .rules import Status
from .tables import CourierRow, ParcelRow

__all__ = ["fee_due", "hosted", "one_view", "resident_unit", "views"]


def fee_due(ctx: Ctx, registered_at: datetime) -> Money:
    """What collecting a parcel registered at ``registered_at`` costs now (the storage fee)."""
    settings = ctx.settings
    amount = rules.storage_fee(
        ctx.now - registered_at,
        free_days=settings.free_days,
        per_day=settings.storage_fee_per_day.amount,
        cap=settings.storage_fee_cap.amount,
    )
    return Money(amount=amount, currency=settings.storage_fee_per_day.currency)


def hosted(points: Iterable[PickupPointView], member_id: int | None) -> list[int]:
    """The ids of the pickup points ``member_id`` keeps (none for a caller without one)."""
    return [p.id for p in points if member_id is not None and p.host_id == member_id]


async def resident_unit(ctx: Ctx, member_id: int, purpose: str) -> str | None:
    """The unit (``building-room``) of a verified resident, or ``None`` when unknown.

    Unknown: no such member, not verified, no unit, or ``members.unit`` not granted.
    """
    member = await ctx.host.members.get(member_id, purpose=purpose)
    if member is None or not member.verified:
        return None
    return member.unit


async def views(
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
                returned_at=r["returned_at"],
                storage_fee=fee_due(ctx, r["registered_at"])
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


async def one_view(ctx: Ctx, parcel_id: int, **view: Any) -> Parcel:
    """The view of one parcel of this community (``view``: as for :func:`views`)."""
    listed = await views(ctx, ParcelRow.id == parcel_id, **view)
    return listed.items[0]
