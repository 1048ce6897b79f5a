"""What happens to bookings without a caller: dispatch news, nobody-came and deferred refunds.

The module's event hook (see :mod:`.plugin`) hands the platform's events here; its deadline
handlers (``no-show:{booking_id}`` and ``refund:{booking_id}``) are declared here.
"""

from __future__ import annotations

from datetime import datetime

from linli_sdk import Deadline, Event, Host, Money, NotFound, on_deadline

from .rules import OPEN, Status
from .store import booking_row
from .tables import BookingRow, VoucherRow

__all__ = [
    "DEADLINE_HANDLERS",
    "dispatch_changed",
    "no_show_due",
    "nobody_came",
    "refund_due",
    "refund_rest",
]

_FROM_DISPATCH = {
    "dispatch.job_offered": (Status.DISPATCHED, (Status.REQUESTED, Status.DISPATCHED)),
    "dispatch.job_pending": (Status.REQUESTED, (Status.REQUESTED, Status.DISPATCHED)),
    "dispatch.job_accepted": (Status.ACCEPTED, tuple(OPEN)),
}
"""Dispatch event → the booking status it means, and the statuses it may replace (an offer
arriving after the acceptance never takes it back)."""


async def dispatch_changed(host: Host, event: Event) -> None:
    """Follow a dispatch event about one of the module's jobs on its booking."""
    change = _FROM_DISPATCH.get(event.type)
    ref = str(event.payload.get("ref", ""))
    if change is None or event.payload.get("module") != host.module:
        return
    if not ref.startswith("booking-") or not ref.removeprefix("booking-").isdigit():
        return
    status, replaces = change
    await BookingRow.update({BookingRow.status: status}).where(
        (BookingRow.id == int(ref.removeprefix("booking-")))
        & (BookingRow.community_id == host.community.id)
        & BookingRow.status.is_in([str(s) for s in replaces])
    )


async def nobody_came(host: Host, booking_id: int, compensation: Money, at: datetime) -> None:
    """The grace period ended and nobody started: the provider did not show.

    The resident pays nothing (the authorisation is voided), gets a compensation voucher for a
    later booking, and the provider's credit records the no-show. A booking that moved on
    meanwhile is left alone.
    """
    try:
        row = await booking_row(host.community.id, booking_id)
    except NotFound:
        return
    if Status(row["status"]) not in OPEN:
        return
    if row["charge_id"]:
        await host.payments.void(row["charge_id"])
    await BookingRow.update(
        {BookingRow.status: Status.PROVIDER_NO_SHOW, BookingRow.closed_at: at}
    ).where((BookingRow.id == booking_id) & (BookingRow.community_id == host.community.id))
    await host.credit.emit(
        member_id=row["provider_id"],
        event="provider_no_show",
        weight=-40,
        event_id=f"housekeeping:{host.community.id}:booking-{booking_id}:provider-no-show",
    )
    if compensation.amount > 0:
        await VoucherRow.insert(
            VoucherRow(
                community_id=host.community.id,
                member_id=row["resident_id"],
                amount=compensation.amount,
                currency=compensation.currency,
                reason=f"nobody came for booking {booking_id}",
                source_booking_id=booking_id,
                created_at=at,
            )
        )
    await host.events.publish(
        "provider_no_show", {"booking": booking_id, "compensation": compensation.model_dump()}
    )


async def refund_rest(host: Host, booking_id: int, amount: Money, reason: str) -> None:
    """Refund what a late cancellation or a no-show did not keep (once: by its ref).

    Raises while the capture is not confirmed yet, so the platform retries the deadline.
    """
    row = await booking_row(host.community.id, booking_id)
    await host.payments.refund(
        row["charge_id"], amount, reason=reason, ref=f"booking-{booking_id}-refund"
    )


@on_deadline("no-show:{booking_id}")
async def no_show_due(host: Host, deadline: Deadline, booking_id: int) -> None:
    """The grace period after the booking's start is over (the payload has the compensation)."""
    compensation = Money.model_validate(deadline.payload["compensation"])
    await nobody_came(host, booking_id, compensation, deadline.due)


@on_deadline("refund:{booking_id}")
async def refund_due(host: Host, deadline: Deadline, booking_id: int) -> None:
    """Refund what a fee left over (the payload has the amount and the reason)."""
    amount = Money.model_validate(deadline.payload["amount"])
    await refund_rest(host, booking_id, amount, str(deadline.payload["reason"]))


DEADLINE_HANDLERS = (no_show_due, refund_due)
"""Every deadline of the module: nobody came, and a refund after a fee."""
