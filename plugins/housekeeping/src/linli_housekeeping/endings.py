"""How a booking ends unserved: cancelled, the resident absent, or nobody came (vouchers).

A late cancellation or a resident's no-show keeps a fee by capturing the authorised payment and
refunding the rest; nobody-came (see :mod:`.lifecycle`) voids it and leaves a voucher.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from linli_sdk import Conflict, Empty, Host, Money, Role, command, query
from piccolo.columns import Column

from . import rules
from .bookings import Ctx, booking_row, move, payable, require_own, view
from .lifecycle import no_show_due, refund_due
from .models import Booking, BookingRef, Voucher, VoucherList
from .rules import Status
from .tables import BookingRow, VoucherRow

__all__ = ["cancel_booking", "keep_fee", "my_vouchers", "report_no_show"]


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
    booking_id = row["id"]
    values: dict[Column, Any] = {BookingRow.fee_amount: fee.amount}
    to_pay = payable(row)
    if row["charge_id"]:
        if fee.is_zero:
            await host.payments.void(row["charge_id"])
            return values
        await host.payments.capture(row["charge_id"])
        if fee < to_pay:
            await host.deadlines.schedule(
                refund_due.key(booking_id=booking_id),
                now,
                {"amount": (to_pay - fee).model_dump(), "reason": why},
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
    require_own(ctx, row)
    rules.require(row["status"], "cancel")
    fee = rules.cancellation_fee(
        payable(row),
        row["starts_at"],
        ctx.now,
        free_hours=ctx.settings.free_cancel_hours,
        fee_bp=ctx.settings.late_cancel_fee_bp,
    )
    values = await keep_fee(ctx.host, row, fee, "late cancellation", ctx.now)
    await move(
        ctx.community.id,
        row,
        "cancel",
        {**values, BookingRow.status: Status.CANCELLED, BookingRow.closed_at: ctx.now},
    )
    await ctx.host.deadlines.cancel(no_show_due.key(booking_id=row["id"]))
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
    return await view(ctx, row["id"], codes=True)


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
    await move(
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
    await ctx.host.deadlines.cancel(no_show_due.key(booking_id=row["id"]))
    await ctx.host.credit.emit(
        member_id=row["resident_id"],
        event="resident_no_show",
        weight=-20,
        event_id=f"housekeeping:{ctx.community.id}:booking-{row['id']}:resident-no-show",
    )
    await ctx.host.events.publish("resident_no_show", {"booking": row["id"]})
    return await view(ctx, row["id"], codes=False)


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
                amount=Money(amount=r["amount"], currency=r["currency"]),
                reason=r["reason"],
                used_booking_id=r["used_booking_id"],
            )
            for r in rows
        ]
    )
