"""Bookings: book a slot, start and complete with the resident's codes, rate.

Every operation runs in one transaction on the platform. Money only moves through
``ctx.host.payments``: a booking's price is authorised when it is made (or, for residents whose
credit allows it, charged after the service) and captured on completion. How a booking ends
unserved is in :mod:`.endings`, the catalogue in :mod:`.catalogue`.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from linli_sdk import (
    Conflict,
    Context,
    Empty,
    Forbidden,
    InvalidInput,
    JobRequest,
    Money,
    NotFound,
    Role,
    command,
    query,
)

from . import rules
from .lifecycle import no_show_due
from .models import (
    Booking,
    BookingList,
    CodeEntry,
    HousekeepingSettings,
    NewBooking,
    Payment,
    Rating,
)
from .rules import Status
from .store import booking_row
from .tables import BookingRow, ServiceRow, VoucherRow

__all__ = [
    "EARLY_START",
    "Ctx",
    "book",
    "booking_row",
    "complete_service",
    "move",
    "my_bookings",
    "open_bookings",
    "payable",
    "rate_service",
    "require_own",
    "start_service",
    "view",
]

Ctx = Context[HousekeepingSettings]

EARLY_START = timedelta(minutes=60)
"""How long before the slot a worker may start (with the resident's code)."""

_BY_DISPATCH = {"offered": Status.DISPATCHED, "accepted": Status.ACCEPTED}


def _money(amount: int, currency: str) -> Money:
    return Money(amount=amount, currency=currency)


def _booking(row: dict[str, Any], names: dict[int, str], *, codes: bool) -> Booking:
    currency = row["currency"]
    return Booking(
        id=row["id"],
        service_id=row["service_id"],
        service_name=names.get(row["service_id"], ""),
        status=row["status"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        units=row["units"],
        price=_money(row["amount"], currency),
        discount=_money(row["discount"], currency),
        payment=row["payment"],
        fee_kept=_money(row["fee_amount"], currency),
        charge_id=row["charge_id"],
        job_id=row["job_id"],
        start_code=row["start_code"] if codes else None,
        completion_code=row["completion_code"] if codes else None,
        rating=row["rating"],
    )


def payable(row: dict[str, Any]) -> Money:
    """What the resident pays for a booking: its price less the voucher's discount."""
    return _money(row["amount"] - row["discount"], row["currency"])


async def _service_names(community_id: int) -> dict[int, str]:
    rows = await ServiceRow.select(ServiceRow.id, ServiceRow.name).where(
        ServiceRow.community_id == community_id
    )
    return {row["id"]: row["name"] for row in rows}


async def view(ctx: Ctx, booking_id: int, *, codes: bool) -> Booking:
    """The booking as answered: with the resident's codes only when ``codes`` is true."""
    row = await booking_row(ctx.community.id, booking_id)
    return _booking(row, await _service_names(ctx.community.id), codes=codes)


async def move(community_id: int, row: dict[str, Any], action: str, values: dict[Any, Any]) -> None:
    """Move a booking on by ``action``, only if no concurrent call moved it first."""
    rules.require(row["status"], action)
    allowed = [str(status) for status in rules.ALLOWED[action]]
    moved = (
        await BookingRow.update(values)
        .where(
            (BookingRow.id == row["id"])
            & (BookingRow.community_id == community_id)
            & BookingRow.status.is_in(allowed)
        )
        .returning(BookingRow.id)
    )
    if not moved:
        raise Conflict(f"booking {row['id']} changed meanwhile; cannot {action} it")


def require_own(ctx: Ctx, row: dict[str, Any]) -> None:
    """Refuse a booking that is not the caller's, as if it did not exist (404)."""
    if row["resident_id"] != ctx.caller.member_id:
        raise NotFound(f"you have no booking {row['id']}")


async def _take_voucher(ctx: Ctx, amount: Money) -> tuple[Money, Money, int | None]:
    """Apply the resident's oldest unused voucher: (to pay, discount, voucher id)."""
    voucher = (
        await VoucherRow.select()
        .where(
            (VoucherRow.community_id == ctx.community.id)
            & (VoucherRow.member_id == ctx.caller.member_id)
            & (VoucherRow.used_booking_id.is_null())
            & (VoucherRow.currency == amount.currency)
        )
        .order_by(VoucherRow.id)
        .first()
    )
    if voucher is None:
        return amount, Money.zero(amount.currency), None
    to_pay, discount = rules.after_voucher(amount, _money(voucher["amount"], voucher["currency"]))
    return to_pay, discount, voucher["id"]


@command(Role.RESIDENT)
async def book(ctx: Ctx, data: NewBooking) -> Booking:
    """Book a service for a time slot; the price is authorised now, or paid after the service.

    Paying after the service needs a credit standing that allows it. A compensation voucher
    the resident holds is taken off the price. The booking goes to dispatch for a worker; the
    answer carries the start and completion codes the resident tells the worker.
    """
    settings, member_id = ctx.settings, ctx.caller.member_id
    assert member_id is not None  # the role check admits members only
    service = (
        await ServiceRow.select()
        .where(
            (ServiceRow.id == data.service_id)
            & (ServiceRow.community_id == ctx.community.id)
            & (ServiceRow.active == True)  # noqa: E712
        )
        .first()
    )
    if service is None:
        raise NotFound(f"there is no service {data.service_id} in the catalogue")
    problem = rules.slot_problem(
        data.starts_at,
        ctx.now,
        min_lead_hours=settings.min_lead_hours,
        horizon_days=settings.horizon_days,
    )
    if problem:
        raise InvalidInput(problem, field="starts_at")
    if not service["min_units"] <= data.units <= service["max_units"]:
        raise InvalidInput(
            f"book {service['min_units']}-{service['max_units']} {service['unit']}s",
            field="units",
        )
    if data.payment is Payment.AFTER_SERVICE:
        if not (await ctx.host.credit.standing(member_id)).pay_after_service:
            raise Forbidden("your community credit does not allow paying after the service yet")
    amount = rules.price(_money(service["price_amount"], service["currency"]), data.units)
    to_pay, discount, voucher_id = await _take_voucher(ctx, amount)
    ends_at = data.starts_at + timedelta(minutes=service["minutes_per_unit"] * data.units)
    row = BookingRow(
        community_id=ctx.community.id,
        service_id=service["id"],
        provider_id=service["provider_id"],
        resident_id=member_id,
        starts_at=data.starts_at,
        ends_at=ends_at,
        units=data.units,
        amount=amount.amount,
        discount=discount.amount,
        currency=amount.currency,
        payment=data.payment,
        start_code=f"{secrets.randbelow(10**6):06d}",
        completion_code=f"{secrets.randbelow(10**6):06d}",
        status=Status.REQUESTED,
        created_at=ctx.now,
    )
    await row.save()
    booking_id = int(row.id)
    values: dict[Any, Any] = {}
    if voucher_id is not None:
        await VoucherRow.update({VoucherRow.used_booking_id: booking_id}).where(
            (VoucherRow.id == voucher_id) & (VoucherRow.community_id == ctx.community.id)
        )
    if data.payment is Payment.AUTHORIZED and not to_pay.is_zero:
        charge = await ctx.host.payments.charge(
            order_ref=f"booking-{booking_id}",
            amount=to_pay,
            payer_id=member_id,
            payees={"provider": service["provider_id"]},
            capture=False,
        )
        values[BookingRow.charge_id] = charge.id
    ticket = await ctx.host.dispatch.submit(
        JobRequest(
            ref=f"booking-{booking_id}",
            skills=frozenset({service["kind"]}),
            window_start=data.starts_at,
            window_end=ends_at,
            duration=ends_at - data.starts_at,
        )
    )
    values[BookingRow.job_id] = ticket.id
    values[BookingRow.status] = _BY_DISPATCH.get(ticket.status, Status.REQUESTED)
    await BookingRow.update(values).where(BookingRow.id == booking_id)
    await ctx.host.deadlines.schedule(
        no_show_due.key(booking_id=booking_id),
        data.starts_at + timedelta(minutes=settings.no_show_grace_minutes),
        {"compensation": settings.provider_no_show_compensation.model_dump()},
    )
    await ctx.host.purchases.record(
        ref=f"booking-{booking_id}",
        member_id=member_id,
        item=f"service-{service['id']}",
        item_name=service["name"],
        category=service["kind"],
        quantity=data.units,
        amount=amount,
    )
    await ctx.host.events.publish(
        "booking_requested", {"booking": booking_id, "service": service["id"]}
    )
    return await view(ctx, booking_id, codes=True)


@query(Role.MEMBER)
async def my_bookings(ctx: Ctx, data: Empty) -> BookingList:
    """The caller's bookings, soonest first, with their codes."""
    rows = (
        await BookingRow.select()
        .where(
            (BookingRow.community_id == ctx.community.id)
            & (BookingRow.resident_id == ctx.caller.member_id)
        )
        .order_by(BookingRow.starts_at)
    )
    names = await _service_names(ctx.community.id)
    return BookingList(items=[_booking(row, names, codes=True) for row in rows])


@query(Role.PROVIDER_STAFF, Role.OPERATOR)
async def open_bookings(ctx: Ctx, data: Empty) -> BookingList:
    """Bookings not finished yet, soonest first, without the residents' codes."""
    open_or_started = [str(s) for s in (*rules.OPEN, Status.IN_PROGRESS)]
    rows = (
        await BookingRow.select()
        .where(
            (BookingRow.community_id == ctx.community.id) & BookingRow.status.is_in(open_or_started)
        )
        .order_by(BookingRow.starts_at)
    )
    names = await _service_names(ctx.community.id)
    return BookingList(items=[_booking(row, names, codes=False) for row in rows])


@command(Role.PROVIDER_STAFF)
async def start_service(ctx: Ctx, data: CodeEntry) -> Booking:
    """Start the service at the door with the resident's start code.

    The worker who starts is the one who completes it. Starting is possible from an hour before
    the slot until nobody-came is recorded.
    """
    row = await booking_row(ctx.community.id, data.booking_id)
    rules.require(row["status"], "start")
    if ctx.now < row["starts_at"] - EARLY_START:
        raise Conflict("too early: a service starts at most an hour before its slot")
    if not rules.code_matches(data.code, row["start_code"]):
        raise Forbidden("the start code does not match; ask the resident for it")
    await move(
        ctx.community.id,
        row,
        "start",
        {
            BookingRow.status: Status.IN_PROGRESS,
            BookingRow.worker_id: ctx.caller.member_id,
            BookingRow.started_at: ctx.now,
        },
    )
    await ctx.host.deadlines.cancel(no_show_due.key(booking_id=row["id"]))
    await ctx.host.events.publish("service_started", {"booking": row["id"]})
    return await view(ctx, row["id"], codes=False)


@command(Role.PROVIDER_STAFF)
async def complete_service(ctx: Ctx, data: CodeEntry) -> Booking:
    """Finish the service with the resident's completion code; the payment is taken now.

    An authorised payment is captured; a pay-after-service booking is charged. The booking's
    dispatch job, if a worker accepted it, is completed now: on time if by the slot's end.
    """
    row = await booking_row(ctx.community.id, data.booking_id)
    rules.require(row["status"], "complete")
    if row["worker_id"] != ctx.caller.member_id:
        raise Forbidden("only the worker who started the service completes it")
    if not rules.code_matches(data.code, row["completion_code"]):
        raise Forbidden("the completion code does not match; ask the resident for it")
    values: dict[Any, Any] = {BookingRow.status: Status.COMPLETED, BookingRow.completed_at: ctx.now}
    if row["charge_id"]:
        await ctx.host.payments.capture(row["charge_id"])
    elif not payable(row).is_zero:
        charge = await ctx.host.payments.charge(
            order_ref=f"booking-{row['id']}",
            amount=payable(row),
            payer_id=row["resident_id"],
            payees={"provider": row["provider_id"]},
            capture=True,
        )
        values[BookingRow.charge_id] = charge.id
    await move(ctx.community.id, row, "complete", values)
    if row["job_id"] and (await ctx.host.dispatch.get(row["job_id"])).status == "accepted":
        await ctx.host.dispatch.complete(row["job_id"], at=ctx.now)
    await ctx.host.events.publish("service_completed", {"booking": row["id"]})
    return await view(ctx, row["id"], codes=False)


@command(Role.MEMBER)
async def rate_service(ctx: Ctx, data: Rating) -> Booking:
    """Rate a completed service (1-5 stars); the rating counts in the provider's credit."""
    row = await booking_row(ctx.community.id, data.booking_id)
    require_own(ctx, row)
    rules.require(row["status"], "rate")
    weight = rules.rating_weight(data.stars)
    rated = (
        await BookingRow.update({BookingRow.rating: data.stars, BookingRow.comment: data.comment})
        .where(
            (BookingRow.id == row["id"])
            & (BookingRow.community_id == ctx.community.id)
            & BookingRow.rating.is_null()
        )
        .returning(BookingRow.id)
    )
    if not rated:
        raise Conflict(f"booking {row['id']} is already rated")
    await ctx.host.credit.emit(
        member_id=row["provider_id"],
        event="service_rated",
        weight=weight,
        event_id=f"housekeeping:{ctx.community.id}:booking-{row['id']}:rating",
    )
    await ctx.host.events.publish("service_rated", {"booking": row["id"], "stars": data.stars})
    return await view(ctx, row["id"], codes=True)
