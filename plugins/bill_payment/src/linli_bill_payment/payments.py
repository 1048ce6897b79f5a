"""Paying bills: the billers enabled here, looking a bill up, paying it, payments and receipts."""

from __future__ import annotations

import json

from linli_sdk import Conflict, Document, Empty, InvalidInput, Role, command, query

from .billers import BILLERS
from .confirmation import confirm_due
from .models import (
    BillerInfo,
    BillerList,
    BillQuery,
    BillQuote,
    Ctx,
    PayBill,
    Payment,
    PaymentList,
    PaymentRef,
    PaymentStatus,
)
from .rules import total_due
from .store import (
    claim_key,
    claimed_row,
    enabled_biller,
    order_ref,
    payment_row,
    to_payment,
    visible_row,
)
from .tables import BillPaymentRow


@query(Role.MEMBER)
async def list_billers(ctx: Ctx, data: Empty) -> BillerList:
    """List the billers residents may pay in this community."""
    names = [name for name in ctx.settings.billers if name in BILLERS]
    return BillerList(
        items=[BillerInfo(name=n, kind=BILLERS[n].kind, title=BILLERS[n].title) for n in names]
    )


@query(Role.MEMBER)
async def look_up_bill(ctx: Ctx, data: BillQuery) -> BillQuote:
    """Look up an account's current bill and what paying it here costs."""
    bill = await enabled_biller(ctx, data.biller).look_up(data.account_number)
    fee = ctx.settings.convenience_fee
    claimed = await claimed_row(ctx.community.id, bill.biller, bill.bill_ref)
    return BillQuote(
        bill=bill,
        fee=fee,
        total=total_due(bill.amount, fee),
        payment_id=claimed["id"] if claimed else None,
        payment_status=PaymentStatus(claimed["status"]) if claimed else None,
    )


@command(Role.RESIDENT)
async def pay_bill(ctx: Ctx, data: PayBill) -> Payment:
    """Pay a bill: charge the bill and the convenience fee; the biller is paid after commit.

    A bill already being paid or paid by the caller returns that payment; by someone else, 409.
    """
    enabled_biller(ctx, data.biller)
    if data.amount.amount <= 0:
        raise InvalidInput(f"a bill amount must be positive, not {data.amount}", field="amount")
    station = await ctx.host.members.get(data.leader_id)
    if station is None or not ({Role.LEADER, Role.PICKUP_HOST} & station.roles):
        raise InvalidInput(
            f"member {data.leader_id} is not a leader or pickup host here", field="leader_id"
        )
    payer = ctx.caller.member_id
    assert payer is not None  # residents are members
    community = ctx.community.id
    fee = ctx.settings.convenience_fee
    claimed = await (
        BillPaymentRow.insert(
            BillPaymentRow(
                community_id=community,
                claim=claim_key(community, data.biller, data.bill_ref),
                biller=data.biller,
                account_number=data.account_number,
                bill_ref=data.bill_ref,
                period=data.period,
                currency=data.amount.currency,
                bill_amount=data.amount.amount,
                fee=fee.amount,
                payer_id=payer,
                leader_id=data.leader_id,
                biller_payee_id=ctx.settings.biller_payee_id,
                created_at=ctx.now,
            )
        )
        .on_conflict(target=BillPaymentRow.claim, action="DO NOTHING")
        .returning(BillPaymentRow.id)
    )
    if not claimed:  # another request holds this bill's claim
        row = await claimed_row(community, data.biller, data.bill_ref)
        if row is None:
            raise Conflict("this bill's payment was just refunded; look it up and pay again")
        if row["payer_id"] != payer:
            raise Conflict("this bill is already paid or being paid by another member")
        return to_payment(row)
    payment_id = claimed[0]["id"]
    charge = await ctx.host.payments.charge(
        order_ref=order_ref(payment_id),
        amount=total_due(data.amount, fee),
        payer_id=payer,
        payees={"leader": data.leader_id, "biller": ctx.settings.biller_payee_id},
    )
    await BillPaymentRow.update({BillPaymentRow.charge_id: charge.id}).where(
        BillPaymentRow.id == payment_id
    )
    await ctx.host.deadlines.schedule(confirm_due.key(payment_id=payment_id), ctx.now, {})
    row = await payment_row(community, payment_id)
    assert row is not None
    return to_payment(row)


@query(Role.MEMBER)
async def get_payment(ctx: Ctx, data: PaymentRef) -> Payment:
    """Show one of the caller's payments (operators and auditors see every payment)."""
    return to_payment(await visible_row(ctx, data.payment_id))


@query(Role.MEMBER)
async def my_payments(ctx: Ctx, data: Empty) -> PaymentList:
    """List the caller's bill payments, newest first."""
    rows = (
        await BillPaymentRow.select()
        .where(
            (BillPaymentRow.community_id == ctx.community.id)
            & (BillPaymentRow.payer_id == (ctx.caller.member_id or 0))
        )
        .order_by(BillPaymentRow.id, ascending=False)
        .limit(100)
    )
    return PaymentList(items=[to_payment(r) for r in rows])


@query(Role.MEMBER)
async def receipt(ctx: Ctx, data: PaymentRef) -> Document:
    """Download the receipt (回执) of a paid bill as JSON."""
    payment = to_payment(await visible_row(ctx, data.payment_id))
    if payment.status is not PaymentStatus.PAID:
        raise Conflict(f"payment {payment.id} is {payment.status}: there is no receipt")
    body = {
        "receipt": f"BP-{ctx.community.slug}-{payment.id}",
        "community": ctx.community.name,
        "biller": BILLERS[payment.biller].title if payment.biller in BILLERS else payment.biller,
        "account_number": payment.account_number,
        "bill_ref": payment.bill_ref,
        "period": payment.period,
        "biller_confirmation": payment.confirmation,
        "bill_amount": payment.bill_amount.model_dump(),
        "convenience_fee": payment.fee.model_dump(),
        "total_paid": payment.total.model_dump(),
        "paid_at": payment.settled_at.isoformat() if payment.settled_at else None,
    }
    return Document(
        content=json.dumps(body, ensure_ascii=False, indent=2).encode(),
        media_type="application/json",
        filename=f"bill-receipt-{payment.id}.json",
    )
