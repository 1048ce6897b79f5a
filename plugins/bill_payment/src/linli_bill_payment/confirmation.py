"""After the paying operation committed: pay the biller once the charge is captured, or refund.

A ``confirm:{payment_id}`` deadline (:func:`confirm_due`) drives it; a charge the gateway
refused fails the payment at once and frees the bill.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from linli_sdk import CHARGE_FAILED, ChargeStatus, Deadline, Event, Host, Money, on_deadline

from .billers import BILLERS, BillerRefused
from .models import PaymentStatus
from .rules import biller_shortfall, next_wait, total_due
from .store import order_ref, payment_row
from .tables import BillPaymentRow

_UNCONFIRMED = (ChargeStatus.PENDING, ChargeStatus.AUTHORIZED)
"""Charge states in which the gateway has not taken the money yet: look again later."""


async def _settle(
    host: Host, row: dict[str, Any], status: PaymentStatus, now: datetime, **values: Any
) -> None:
    update: dict[Any, Any] = {
        BillPaymentRow.status: str(status),
        BillPaymentRow.settled_at: now,
        **{getattr(BillPaymentRow, name): value for name, value in values.items()},
    }
    if status is not PaymentStatus.PAID:
        update[BillPaymentRow.claim] = None  # the bill may be paid again
    await BillPaymentRow.update(update).where(BillPaymentRow.id == row["id"])
    event = {
        PaymentStatus.PAID: "bill_paid",
        PaymentStatus.REFUNDED: "bill_payment_refunded",
        PaymentStatus.FAILED: "bill_payment_failed",
    }[status]
    await host.events.publish(event, {"payment_id": row["id"], "bill_ref": row["bill_ref"]})


async def _refund(host: Host, row: dict[str, Any], total: Money, reason: str) -> None:
    await host.payments.refund(
        row["charge_id"], total, reason=reason, ref=f"{order_ref(row['id'])}-refund"
    )


async def confirm_payment(host: Host, payment_id: int, now: datetime) -> None:
    """Pay the biller for a pending payment once its charge is captured; refund if refused.

    Runs from the ``confirm:{payment_id}`` deadline, outside the paying operation's transaction. A
    charge the gateway has not captured yet is looked at again later (the wait doubles, up to
    an hour). ``Biller.pay`` is idempotent by the payment's reference, so a retry after a crash
    cannot pay the bill twice; `BillerUnavailable` propagates and the host retries the deadline.
    """
    row = await payment_row(host.community.id, payment_id)
    if row is None or row["status"] != PaymentStatus.PENDING:
        return
    currency = row["currency"]
    bill = Money(amount=row["bill_amount"], currency=currency)
    total = total_due(bill, Money(amount=row["fee"], currency=currency))
    charge = await host.payments.get(row["charge_id"])  # read back, never charged again
    if charge.status is ChargeStatus.FAILED:  # final: the event says so too, whichever is first
        await _fail(host, row, now, charge.id)
        return
    if charge.status in _UNCONFIRMED:  # the gateway has not captured it yet
        waits = row["waits"] + 1
        await BillPaymentRow.update({BillPaymentRow.waits: waits}).where(
            BillPaymentRow.id == payment_id
        )
        await host.deadlines.schedule(
            confirm_due.key(payment_id=payment_id), now + next_wait(waits), {}
        )
        return
    if charge.status is not ChargeStatus.CAPTURED:
        await _settle(host, row, PaymentStatus.REFUNDED, now, failure=f"charge {charge.status}")
        return
    wrong_split = biller_shortfall(charge.parts, bill)
    if wrong_split:
        await _refund(host, row, total, wrong_split)
        await _settle(host, row, PaymentStatus.REFUNDED, now, failure=wrong_split)
        return
    biller = BILLERS.get(row["biller"])
    try:
        if biller is None:
            raise BillerRefused(f"the biller {row['biller']} is no longer available")
        confirmation = await biller.pay(
            row["bill_ref"], bill, reference=f"linli-{host.community.id}-{order_ref(payment_id)}"
        )
    except BillerRefused as refused:
        await _refund(host, row, total, f"biller refused: {refused.detail}")
        await _settle(host, row, PaymentStatus.REFUNDED, now, failure=refused.detail)
        return
    await _settle(host, row, PaymentStatus.PAID, now, confirmation=confirmation)


async def _fail(host: Host, row: dict[str, Any], now: datetime, charge_id: str) -> None:
    """The gateway refused the payment's charge: fail it, free the bill, stop looking."""
    await _settle(host, row, PaymentStatus.FAILED, now, failure=f"charge {charge_id} refused")
    await host.deadlines.cancel(confirm_due.key(payment_id=row["id"]))


async def charge_failed(host: Host, event: Event, now: datetime) -> None:
    """A charge the gateway refused fails its payment at once (no more waiting for it)."""
    if event.type != CHARGE_FAILED or event.payload.get("module") != host.module:
        return
    row: dict[str, Any] | None = (
        await BillPaymentRow.select()
        .where(
            (BillPaymentRow.community_id == host.community.id)
            & (BillPaymentRow.charge_id == event.payload["charge_id"])
            & (BillPaymentRow.status == PaymentStatus.PENDING)
        )
        .first()
    )
    if row is not None:  # a repeated delivery finds it failed already
        await _fail(host, row, now, row["charge_id"])


@on_deadline("confirm:{payment_id}")
async def confirm_due(host: Host, deadline: Deadline, payment_id: int) -> None:
    """Pay the biller once the payment's charge is captured (or refund, or look again later)."""
    await confirm_payment(host, payment_id, datetime.now(UTC))
