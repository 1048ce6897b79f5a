"""The bill payment rows: a payment read as its model, found by id or by the bill it claims."""

from __future__ import annotations

from typing import Any

from linli_sdk import Money, NotFound, Role

from .billers import BILLERS, Biller
from .models import Ctx, Payment, PaymentStatus
from .rules import total_due
from .tables import BillPaymentRow


def enabled_biller(ctx: Ctx, name: str) -> Biller:
    """The biller ``name``, if this community enables it; else :class:`NotFound`."""
    if name not in ctx.settings.billers or name not in BILLERS:
        raise NotFound(f"no biller {name!r} in this community", biller=name)
    return BILLERS[name]


def to_payment(row: dict[str, Any]) -> Payment:
    """A payment row as the model operations return."""
    currency = row["currency"]
    bill = Money(amount=row["bill_amount"], currency=currency)
    fee = Money(amount=row["fee"], currency=currency)
    return Payment(
        id=row["id"],
        biller=row["biller"],
        account_number=row["account_number"],
        bill_ref=row["bill_ref"],
        period=row["period"],
        payer_id=row["payer_id"],
        bill_amount=bill,
        fee=fee,
        total=total_due(bill, fee),
        status=PaymentStatus(row["status"]),
        charge_id=row["charge_id"],
        confirmation=row["confirmation"],
        failure=row["failure"],
        created_at=row["created_at"],
        settled_at=row["settled_at"],
    )


def claim_key(community_id: int, biller: str, bill_ref: str) -> str:
    """The unique claim a payment holds on one bill while it is pending or paid."""
    return f"{community_id}:{biller}:{bill_ref}"


def order_ref(payment_id: int) -> str:
    """The order reference a payment is charged under."""
    return f"bill-payment-{payment_id}"


async def payment_row(community_id: int, payment_id: int) -> dict[str, Any] | None:
    """The payment ``payment_id`` in the community, if there is one."""
    row: dict[str, Any] | None = (
        await BillPaymentRow.select()
        .where((BillPaymentRow.community_id == community_id) & (BillPaymentRow.id == payment_id))
        .first()
    )
    return row


async def claimed_row(community_id: int, biller: str, bill_ref: str) -> dict[str, Any] | None:
    """The payment holding the claim on a bill, if one does."""
    row: dict[str, Any] | None = (
        await BillPaymentRow.select()
        .where(
            (BillPaymentRow.community_id == community_id)
            & (BillPaymentRow.claim == claim_key(community_id, biller, bill_ref))
        )
        .first()
    )
    return row


async def visible_row(ctx: Ctx, payment_id: int) -> dict[str, Any]:
    """The payment, if the caller paid it or is an operator or auditor; else :class:`NotFound`."""
    row = await payment_row(ctx.community.id, payment_id)
    staff = ctx.caller.has_role(Role.OPERATOR, Role.AUDITOR)
    if row is None or not (staff or row["payer_id"] == ctx.caller.member_id):
        raise NotFound(f"there is no payment {payment_id} of yours in this community")
    return row
