"""Couriers: the back ends the operator admits, and what each was charged (its statement).

A courier's back end calls with OAuth client credentials: its calls carry ``provider_staff``,
no member id, and its client id (``ctx.caller.client_id``), by which the module knows which
admitted courier it is. Any other caller is refused courier operations.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import Conflict, Empty, Forbidden, Money, NotFound, Role, command, query

from .models import (
    Courier,
    CourierList,
    CourierRef,
    CourierStatement,
    Ctx,
    NewCourier,
    StatementLine,
)
from .tables import CourierRow, ParcelRow

__all__ = [
    "add_courier",
    "calling_courier",
    "courier_statement",
    "list_couriers",
    "retire_courier",
    "to_courier",
]


def to_courier(row: dict[str, Any]) -> Courier:
    """The view of a courier row."""
    return Courier(
        id=row["id"],
        name=row["name"],
        client_id=row["client_id"],
        payer_id=row["payer_id"],
        active=row["active"],
    )


async def calling_courier(ctx: Ctx, *, retired_too: bool = False) -> dict[str, Any]:
    """The admitted courier whose back end makes this call (active, unless ``retired_too``).

    Raises:
        Forbidden: The caller is not the back end of a courier admitted in this community.

    """
    client_id = ctx.caller.client_id
    row: dict[str, Any] | None = None
    if client_id is not None:
        row = (
            await CourierRow.select()
            .where(
                (CourierRow.community_id == ctx.community.id) & (CourierRow.client_id == client_id)
            )
            .first()
        )
    if row is None or not (row["active"] or retired_too):
        raise Forbidden("only the back end of a courier admitted in this community may do this")
    return row


@command(Role.OPERATOR)
async def add_courier(ctx: Ctx, data: NewCourier) -> Courier:
    """Admit a courier's back end (its OAuth client) and name the account billed its commissions.

    The payer must be a member of the community; the module reads nothing else of them.
    """
    payer = await ctx.host.members.get(data.payer_id, purpose="check the courier's payer account")
    if payer is None:
        raise NotFound(f"there is no member {data.payer_id} in this community")
    if await CourierRow.exists().where(
        (CourierRow.community_id == ctx.community.id) & (CourierRow.client_id == data.client_id)
    ):
        raise Conflict(f"the client {data.client_id} is admitted already")
    row = CourierRow(
        community_id=ctx.community.id,
        name=data.name,
        client_id=data.client_id,
        payer_id=data.payer_id,
        active=True,
        added_at=ctx.now,
    )
    await row.save()
    return to_courier(row.to_dict())


@command(Role.OPERATOR)
async def retire_courier(ctx: Ctx, data: CourierRef) -> Courier:
    """Stop a courier registering parcels here; what it registered stays, and so do its charges.

    Its back end may still read its statement.
    """
    row = await _named_courier(ctx, data.courier_id)
    await CourierRow.update({CourierRow.active: False}).where(
        (CourierRow.id == row["id"]) & (CourierRow.community_id == ctx.community.id)
    )
    return to_courier({**row, "active": False})


@query(Role.OPERATOR, Role.AUDITOR)
async def list_couriers(ctx: Ctx, data: Empty) -> CourierList:
    """The couriers admitted here, in the order they were admitted."""
    rows = (
        await CourierRow.select()
        .where(CourierRow.community_id == ctx.community.id)
        .order_by(CourierRow.id)
    )
    return CourierList(items=[to_courier(r) for r in rows])


async def _named_courier(ctx: Ctx, courier_id: int | None) -> dict[str, Any]:
    if courier_id is None:
        raise NotFound("name the courier (courier_id)")
    row: dict[str, Any] | None = (
        await CourierRow.select()
        .where((CourierRow.community_id == ctx.community.id) & (CourierRow.id == courier_id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no courier {courier_id} in this community")
    return row


@query(Role.PROVIDER_STAFF, Role.OPERATOR, Role.AUDITOR)
async def courier_statement(ctx: Ctx, data: CourierRef) -> CourierStatement:
    """What a courier was charged: each parcel's commission and the total, to the fen.

    A courier's back end reads its own (``courier_id`` left out); operators and auditors name
    the courier. The ledger holds the other side: each charge split between the platform and
    the pickup point's host by the module's revenue-share rules.
    """
    if ctx.caller.client_id is not None or not ctx.caller.has_role(Role.OPERATOR, Role.AUDITOR):
        courier = await calling_courier(ctx, retired_too=True)
    else:
        courier = await _named_courier(ctx, data.courier_id)
    rows = (
        await ParcelRow.select()
        .where(
            (ParcelRow.community_id == ctx.community.id)
            & (ParcelRow.courier_id == courier["id"])
            & (ParcelRow.commission > 0)
        )
        .order_by(ParcelRow.id)
    )
    currency = ctx.settings.commission.currency
    lines = [
        StatementLine(
            parcel_id=r["id"],
            tracking_number=r["tracking_number"],
            point_id=r["point_id"],
            registered_at=r["registered_at"],
            commission=Money(amount=r["commission"], currency=r["currency"]),
            charge_id=r["commission_charge_id"],
        )
        for r in rows
    ]
    total = Money(amount=sum(line.commission.amount for line in lines), currency=currency)
    return CourierStatement(courier=to_courier(courier), lines=lines, total=total)
