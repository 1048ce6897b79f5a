"""The community station: its errands, their slots and its staff roster."""

from __future__ import annotations

from typing import Any

from linli_sdk import Conflict, Context, Empty, InvalidInput, Money, NotFound, Role, command, query

from .models import (
    GovServicesSettings,
    NewService,
    NewSlots,
    Service,
    ServiceList,
    ServiceRef,
    Slot,
    SlotList,
    Staff,
    StaffList,
    StaffMember,
)
from .tables import ServiceRow, SlotRow, StaffRow

__all__ = [
    "Ctx",
    "add_service",
    "add_slots",
    "add_staff",
    "list_services",
    "list_slots",
    "list_staff",
    "on_roster",
    "one",
]

Ctx = Context[GovServicesSettings]
"""The context of a gov services operation."""


def _service(row: dict[str, Any]) -> Service:
    return Service(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        minutes=row["minutes"],
        subsidy=Money(amount=row["subsidy_amount"], currency=row["currency"]),
    )


async def one(table: Any, community_id: int, row_id: int, what: str) -> dict[str, Any]:
    """The row ``row_id`` of ``table`` in the community.

    Raises:
        NotFound: There is no such row in the community.

    """
    row: dict[str, Any] | None = (
        await table.select()
        .where((table.id == row_id) & (table.community_id == community_id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no {what} {row_id} in this community")
    return row


async def on_roster(community_id: int, member_id: int | None) -> bool:
    """Whether the member is on the community station's active roster."""
    return bool(
        await StaffRow.exists().where(
            (StaffRow.community_id == community_id)
            & (StaffRow.member_id == member_id)
            & (StaffRow.active == True)  # noqa: E712
        )
    )


@command(Role.OPERATOR)
async def add_service(ctx: Ctx, data: NewService) -> Service:
    """Offer an errand at the community station, with the government's subsidy for it."""
    if data.subsidy.is_negative:
        raise InvalidInput("a subsidy cannot be negative", field="subsidy")
    row = ServiceRow(
        community_id=ctx.community.id,
        name=data.name,
        kind=data.kind,
        minutes=data.minutes,
        subsidy_amount=data.subsidy.amount,
        currency=data.subsidy.currency,
        active=True,
        created_at=ctx.now,
    )
    await row.save()
    return _service(row.to_dict())


@query(Role.MEMBER)
async def list_services(ctx: Ctx, data: Empty) -> ServiceList:
    """The errands the community station handles."""
    rows = (
        await ServiceRow.select()
        .where((ServiceRow.community_id == ctx.community.id) & (ServiceRow.active == True))  # noqa: E712
        .order_by(ServiceRow.id)
    )
    return ServiceList(items=[_service(r) for r in rows])


def _slot(row: dict[str, Any]) -> Slot:
    return Slot(
        id=row["id"],
        service_id=row["service_id"],
        starts_at=row["starts_at"],
        capacity=row["capacity"],
        left=row["capacity"] - row["booked"],
    )


@command(Role.OPERATOR)
async def add_slots(ctx: Ctx, data: NewSlots) -> SlotList:
    """Open bookable times for an errand, each with room for ``capacity`` residents."""
    await one(ServiceRow, ctx.community.id, data.service_id, "service")
    if any(start.tzinfo is None or start <= ctx.now for start in data.starts):
        raise InvalidInput("slots start in the future, with a time zone", field="starts")
    rows = [
        SlotRow(
            community_id=ctx.community.id,
            service_id=data.service_id,
            starts_at=start,
            capacity=data.capacity,
            booked=0,
        )
        for start in sorted(set(data.starts))
    ]
    await SlotRow.insert(*rows)
    return SlotList(items=[_slot(row.to_dict()) for row in rows])


@query(Role.MEMBER)
async def list_slots(ctx: Ctx, data: ServiceRef) -> SlotList:
    """The errand's coming slots with places left, soonest first."""
    rows = (
        await SlotRow.select()
        .where(
            (SlotRow.community_id == ctx.community.id)
            & (SlotRow.service_id == data.service_id)
            & (SlotRow.starts_at > ctx.now)
        )
        .order_by(SlotRow.starts_at)
    )
    return SlotList(items=[_slot(r) for r in rows if r["booked"] < r["capacity"]])


@command(Role.OPERATOR)
async def add_staff(ctx: Ctx, data: StaffMember) -> Staff:
    """Put a member on the community station's roster.

    Staff operations also need the ``provider_staff`` role. The module does not look the
    member up: a look-up would unseal their ID number (the module holds that scope).
    """
    if await on_roster(ctx.community.id, data.member_id):
        raise Conflict(f"member {data.member_id} is on the roster already")
    await StaffRow.insert(
        StaffRow(
            community_id=ctx.community.id,
            member_id=data.member_id,
            display_name=data.display_name,
            active=True,
            added_at=ctx.now,
        )
    )
    return Staff(member_id=data.member_id, display_name=data.display_name, active=True)


@query(Role.OPERATOR, Role.PROVIDER_STAFF)
async def list_staff(ctx: Ctx, data: Empty) -> StaffList:
    """The community station's roster."""
    rows = await StaffRow.select().where(StaffRow.community_id == ctx.community.id)
    return StaffList(
        items=[
            Staff(member_id=r["member_id"], display_name=r["display_name"], active=r["active"])
            for r in rows
        ]
    )
