"""Housekeeping operations: the catalogue, bookings, start and completion codes, ratings.

Every operation runs in one transaction on the platform. Money only moves through
``ctx.host.payments``: a booking's price is authorised when it is made (or, for residents whose
credit allows it, charged after the service), captured on completion, and a late cancellation
or a no-show keeps a fee by capturing and refunding the rest.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from linli_sdk import (
    Conflict,
    Context,
    Empty,
    Forbidden,
    Host,
    InvalidInput,
    JobRequest,
    Money,
    NotFound,
    Role,
    command,
    query,
)

from . import rules
from .models import (
    Booking,
    BookingList,
    BookingRef,
    CodeEntry,
    HousekeepingSettings,
    NewBooking,
    NewService,
    Payment,
    Rating,
    Service,
    ServiceList,
    Unit,
    Voucher,
    VoucherList,
)
from .rules import Status
from .tables import BookingRow, ServiceRow, VoucherRow

__all__ = [
    "EARLY_START",
    "OPERATIONS",
    "add_service",
    "book",
    "booking_row",
    "cancel_booking",
    "complete_service",
    "keep_fee",
    "list_services",
    "my_bookings",
    "my_vouchers",
    "open_bookings",
    "payable",
    "rate_service",
    "report_no_show",
    "start_service",
]

Ctx = Context[HousekeepingSettings]

EARLY_START = timedelta(minutes=60)
"""How long before the slot a worker may start (with the resident's code)."""

_BY_DISPATCH = {"offered": Status.DISPATCHED, "accepted": Status.ACCEPTED}


def _money(amount: int, currency: str) -> Money:
    return Money(amount=amount, currency=currency)


def _service(row: dict[str, Any]) -> Service:
    return Service(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        unit=row["unit"],
        price=_money(row["price_amount"], row["currency"]),
        minutes_per_unit=row["minutes_per_unit"],
        min_units=row["min_units"],
        max_units=row["max_units"],
        provider_id=row["provider_id"],
    )


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


async def booking_row(community_id: int, booking_id: int) -> dict[str, Any]:
    """The booking's row in the community.

    Raises:
        NotFound: There is no such booking in the community.

    """
    row: dict[str, Any] | None = (
        await BookingRow.select()
        .where((BookingRow.id == booking_id) & (BookingRow.community_id == community_id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no booking {booking_id} in this community")
    return row


async def _view(ctx: Ctx, booking_id: int, *, codes: bool) -> Booking:
    row = await booking_row(ctx.community.id, booking_id)
    return _booking(row, await _service_names(ctx.community.id), codes=codes)


async def _move(
    community_id: int, row: dict[str, Any], action: str, values: dict[Any, Any]
) -> None:
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


def _own(ctx: Ctx, row: dict[str, Any]) -> None:
    if row["resident_id"] != ctx.caller.member_id:
        raise NotFound(f"you have no booking {row['id']}")


@command(Role.PROVIDER_STAFF, Role.OPERATOR)
async def add_service(ctx: Ctx, data: NewService) -> Service:
    """Add a service to the community's catalogue (provider staff for their provider).

    Only an admitted provider (a member holding ``provider_staff`` here) whose credit is not
    suspended may offer services; an operator may list one on a provider's behalf.
    """
    provider_id = data.provider_id or ctx.caller.member_id
    if data.provider_id not in (None, ctx.caller.member_id) and not ctx.caller.has_role(
        Role.OPERATOR
    ):
        raise Forbidden("only an operator lists a service for another provider")
    provider = await ctx.host.members.get(provider_id) if provider_id is not None else None
    if provider is None or Role.PROVIDER_STAFF not in provider.roles:
        raise InvalidInput("the provider must be admitted here (hold provider_staff)")
    if (await ctx.host.credit.standing(provider.id)).suspended:
        raise Forbidden("the provider is suspended by community credit")
    if data.min_units > data.max_units or (data.unit is Unit.JOB and data.max_units != 1):
        raise InvalidInput("units: min_units ≤ max_units, and a per-visit service books one")
    row = ServiceRow(
        community_id=ctx.community.id,
        provider_id=provider.id,
        name=data.name,
        kind=data.kind,
        unit=data.unit,
        price_amount=data.price.amount,
        currency=data.price.currency,
        minutes_per_unit=data.minutes_per_unit,
        min_units=data.min_units,
        max_units=data.max_units,
        active=True,
        created_at=ctx.now,
    )
    await row.save()
    return _service(row.to_dict())


@query(Role.MEMBER)
async def list_services(ctx: Ctx, data: Empty) -> ServiceList:
    """The community's housekeeping catalogue."""
    rows = (
        await ServiceRow.select()
        .where((ServiceRow.community_id == ctx.community.id) & (ServiceRow.active == True))  # noqa: E712
        .order_by(ServiceRow.id)
    )
    return ServiceList(items=[_service(row) for row in rows])


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
        f"no-show:{booking_id}",
        data.starts_at + timedelta(minutes=settings.no_show_grace_minutes),
        {
            "booking": booking_id,
            "compensation": settings.provider_no_show_compensation.model_dump(),
        },
    )
    await ctx.host.events.publish(
        "booking_requested", {"booking": booking_id, "service": service["id"]}
    )
    return await _view(ctx, booking_id, codes=True)


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
    await _move(
        ctx.community.id,
        row,
        "start",
        {
            BookingRow.status: Status.IN_PROGRESS,
            BookingRow.worker_id: ctx.caller.member_id,
            BookingRow.started_at: ctx.now,
        },
    )
    await ctx.host.deadlines.cancel(f"no-show:{row['id']}")
    await ctx.host.events.publish("service_started", {"booking": row["id"]})
    return await _view(ctx, row["id"], codes=False)


@command(Role.PROVIDER_STAFF)
async def complete_service(ctx: Ctx, data: CodeEntry) -> Booking:
    """Finish the service with the resident's completion code; the payment is taken now.

    An authorised payment is captured; a pay-after-service booking is charged.
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
    await _move(ctx.community.id, row, "complete", values)
    await ctx.host.events.publish("service_completed", {"booking": row["id"]})
    return await _view(ctx, row["id"], codes=False)


@command(Role.MEMBER)
async def rate_service(ctx: Ctx, data: Rating) -> Booking:
    """Rate a completed service (1-5 stars); the rating counts in the provider's credit."""
    row = await booking_row(ctx.community.id, data.booking_id)
    _own(ctx, row)
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
    return await _view(ctx, row["id"], codes=True)


async def keep_fee(
    host: Host, row: dict[str, Any], fee: Money, why: str, now: datetime
) -> dict[Any, Any]:
    """Keep ``fee`` of a booking that ends unserved and give the rest back; the new columns.

    An authorised payment is voided when there is no fee; otherwise it is captured (the fee is
    split by the revenue-share rules like any charge) and the rest refunded by a deadline due at
    once — the platform refunds only a capture the gateway has confirmed, so the refund runs
    after this call commits and is retried until it has. A pay-after-service booking is
    charged the fee alone.
    """
    booking_id, values = row["id"], {BookingRow.fee_amount: fee.amount}
    to_pay = payable(row)
    if row["charge_id"]:
        if fee.is_zero:
            await host.payments.void(row["charge_id"])
            return values
        await host.payments.capture(row["charge_id"])
        if fee < to_pay:
            await host.deadlines.schedule(
                f"refund:{booking_id}",
                now,
                {"booking": booking_id, "amount": (to_pay - fee).model_dump(), "reason": why},
            )
    elif not fee.is_zero:
        charge = await host.payments.charge(
            order_ref=f"booking-{booking_id}-fee",
            amount=fee,
            payer_id=row["resident_id"],
            payees={"provider": row["provider_id"]},
            capture=True,
        )
        values[BookingRow.fee_charge_id] = charge.id
    return values


@command(Role.MEMBER)
async def cancel_booking(ctx: Ctx, data: BookingRef) -> Booking:
    """Cancel a booking: free until the policy's hours before the start, then a fee is kept.

    The fee (``late_cancel_fee_bp`` of what the resident pays) is split by the revenue-share
    rules; the rest is refunded. A late cancellation is a small credit event.
    """
    row = await booking_row(ctx.community.id, data.booking_id)
    _own(ctx, row)
    rules.require(row["status"], "cancel")
    fee = rules.cancellation_fee(
        payable(row),
        row["starts_at"],
        ctx.now,
        free_hours=ctx.settings.free_cancel_hours,
        fee_bp=ctx.settings.late_cancel_fee_bp,
    )
    values = await keep_fee(ctx.host, row, fee, "late cancellation", ctx.now)
    await _move(
        ctx.community.id,
        row,
        "cancel",
        {**values, BookingRow.status: Status.CANCELLED, BookingRow.closed_at: ctx.now},
    )
    await ctx.host.deadlines.cancel(f"no-show:{row['id']}")
    if not fee.is_zero:
        await ctx.host.credit.emit(
            member_id=row["resident_id"],
            event="late_cancellation",
            weight=-5,
            event_id=f"housekeeping:{ctx.community.id}:booking-{row['id']}:late-cancellation",
        )
    await ctx.host.events.publish(
        "booking_cancelled", {"booking": row["id"], "fee": fee.model_dump()}
    )
    return await _view(ctx, row["id"], codes=True)


@command(Role.PROVIDER_STAFF)
async def report_no_show(ctx: Ctx, data: BookingRef) -> Booking:
    """The worker came and the resident was not there: the no-show fee is kept.

    Possible once the slot has started and before nobody-came is recorded. The fee
    (``no_show_fee_bp``) compensates the provider through the split; the resident's credit
    records the no-show.
    """
    row = await booking_row(ctx.community.id, data.booking_id)
    rules.require(row["status"], "report resident no-show")
    if ctx.now < row["starts_at"]:
        raise Conflict("the slot has not started yet")
    fee = rules.percent_of(payable(row), ctx.settings.no_show_fee_bp)
    values = await keep_fee(ctx.host, row, fee, "resident not there", ctx.now)
    await _move(
        ctx.community.id,
        row,
        "report resident no-show",
        {
            **values,
            BookingRow.status: Status.RESIDENT_NO_SHOW,
            BookingRow.worker_id: ctx.caller.member_id,
            BookingRow.closed_at: ctx.now,
        },
    )
    await ctx.host.deadlines.cancel(f"no-show:{row['id']}")
    await ctx.host.credit.emit(
        member_id=row["resident_id"],
        event="resident_no_show",
        weight=-20,
        event_id=f"housekeeping:{ctx.community.id}:booking-{row['id']}:resident-no-show",
    )
    await ctx.host.events.publish("resident_no_show", {"booking": row["id"]})
    return await _view(ctx, row["id"], codes=False)


@query(Role.MEMBER)
async def my_vouchers(ctx: Ctx, data: Empty) -> VoucherList:
    """The caller's compensation vouchers, newest first."""
    rows = (
        await VoucherRow.select()
        .where(
            (VoucherRow.community_id == ctx.community.id)
            & (VoucherRow.member_id == ctx.caller.member_id)
        )
        .order_by(VoucherRow.id, ascending=False)
    )
    return VoucherList(
        items=[
            Voucher(
                id=r["id"],
                amount=_money(r["amount"], r["currency"]),
                reason=r["reason"],
                used_booking_id=r["used_booking_id"],
            )
            for r in rows
        ]
    )


OPERATIONS = (
    add_service,
    list_services,
    book,
    my_bookings,
    open_bookings,
    start_service,
    complete_service,
    rate_service,
    cancel_booking,
    report_no_show,
    my_vouchers,
)
"""Every operation of the module, in the order the API reference lists them."""
