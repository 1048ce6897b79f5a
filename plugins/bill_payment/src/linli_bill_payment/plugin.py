"""Bill payment (代缴水电费): residents pay water, electricity, gas and property bills.

A resident looks a bill up by account number and pays it with a convenience fee; the biller is
paid after the payment committed, from a durable deadline; a refused payment is refunded in
full, automatically; a charge the gateway refuses (``settlement.charge_failed``) fails the
payment at once and frees the bill. A bill is paid at most once: the payment claims a unique
row per biller reference in the operation's transaction, so concurrent requests meet one
payment.

The entry point ``linli.plugins: bill_payment`` names this module.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from linli_sdk import (
    CHARGE_FAILED,
    ChargeStatus,
    Conflict,
    Context,
    Deadline,
    Document,
    Empty,
    Event,
    Forbidden,
    Host,
    InvalidInput,
    Manifest,
    Money,
    NotFound,
    Role,
    command,
    hookimpl,
    query,
)
from pydantic import BaseModel, Field

from .billers import BILLERS, Bill, Biller, BillerRefused, BillKind
from .rules import RULES, biller_shortfall, next_wait, total_due
from .tables import BillAccountRow, BillPaymentRow

__all__ = ["manifest"]

_CONFIRM = "confirm:"
"""Deadline keys ``confirm:<payment id>``: pay the biller once the charge is captured."""

_UNCONFIRMED = (ChargeStatus.PENDING, ChargeStatus.AUTHORIZED)
"""Charge states in which the gateway has not taken the money yet: look again later."""


class BillPaymentSettings(BaseModel):
    """What an operator may set per community."""

    convenience_fee: int = Field(
        default=100,
        ge=0,
        le=1000,
        description=(
            "The convenience fee in fen added to each bill (0 for none). It must equal the "
            "revenue-share fixed shares of platform and leader (declared CNY 0.50 each)."
        ),
    )
    billers: list[str] = Field(
        default_factory=lambda: sorted(BILLERS),
        description="The billers residents may pay here, by name.",
    )
    biller_payee_id: int = Field(
        default=0,
        ge=0,
        description="Whose payable collects the bill amounts owed to billers (0: the platform's "
        "remittance account).",
    )


class PaymentStatus(StrEnum):
    """Where a bill payment is."""

    PENDING = "pending"
    """Charged; the biller is paid once the charge is captured."""
    PAID = "paid"
    """The biller confirmed the payment."""
    REFUNDED = "refunded"
    """The biller refused it (or the split was wrong): the payer was refunded in full."""
    FAILED = "failed"
    """The gateway refused the charge: nothing was taken; the bill may be paid again."""


class BillerInfo(BaseModel):
    """A biller residents may pay here."""

    name: str
    kind: BillKind
    title: str


class BillerList(BaseModel):
    """The billers enabled in this community."""

    items: list[BillerInfo]


class BillQuery(BaseModel):
    """Which account to look up."""

    biller: str
    account_number: str = Field(min_length=1, max_length=20)


class BillQuote(BaseModel):
    """A bill with what paying it here costs, and whether it is already paid or being paid."""

    bill: Bill
    fee: Money
    total: Money
    payment_id: int | None = None
    payment_status: PaymentStatus | None = None


class PayBill(BaseModel):
    """A bill to pay, as looked up, through a station (the leader or pickup host)."""

    biller: str
    account_number: str = Field(min_length=1, max_length=20)
    bill_ref: str = Field(min_length=1, max_length=120)
    amount: Money
    leader_id: int
    period: str = Field(default="", max_length=20)


class Payment(BaseModel):
    """A bill payment."""

    id: int
    biller: str
    account_number: str
    bill_ref: str
    period: str
    payer_id: int
    bill_amount: Money
    fee: Money
    total: Money
    status: PaymentStatus
    charge_id: str
    confirmation: str
    failure: str
    created_at: datetime
    settled_at: datetime | None


class PaymentRef(BaseModel):
    """One payment, by id."""

    payment_id: int


class PaymentList(BaseModel):
    """Payments, newest first."""

    items: list[Payment]


class NewAccount(BaseModel):
    """A biller account to remember (户号)."""

    biller: str
    account_number: str = Field(min_length=6, max_length=20, pattern=r"^\d+$")
    label: str = Field(min_length=1, max_length=80)
    shared: bool = Field(
        default=False, description="Save it for the whole community (operators and leaders)."
    )


class Account(BaseModel):
    """A saved biller account."""

    id: int
    biller: str
    account_number: str
    label: str
    shared: bool


class AccountList(BaseModel):
    """The caller's saved accounts and the community's."""

    items: list[Account]


Ctx = Context[BillPaymentSettings]


def _biller(ctx: Ctx, name: str) -> Biller:
    if name not in ctx.settings.billers or name not in BILLERS:
        raise NotFound(f"no biller {name!r} in this community", biller=name)
    return BILLERS[name]


def _payment(row: dict[str, Any]) -> Payment:
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


def _claim(community_id: int, biller: str, bill_ref: str) -> str:
    return f"{community_id}:{biller}:{bill_ref}"


def _order_ref(payment_id: int) -> str:
    return f"bill-payment-{payment_id}"


async def _row(community_id: int, payment_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await BillPaymentRow.select()
        .where((BillPaymentRow.community_id == community_id) & (BillPaymentRow.id == payment_id))
        .first()
    )
    return row


async def _claimed(community_id: int, biller: str, bill_ref: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await BillPaymentRow.select()
        .where(
            (BillPaymentRow.community_id == community_id)
            & (BillPaymentRow.claim == _claim(community_id, biller, bill_ref))
        )
        .first()
    )
    return row


async def _visible(ctx: Ctx, payment_id: int) -> dict[str, Any]:
    row = await _row(ctx.community.id, payment_id)
    staff = ctx.caller.has_role(Role.OPERATOR, Role.AUDITOR)
    if row is None or not (staff or row["payer_id"] == ctx.caller.member_id):
        raise NotFound(f"there is no payment {payment_id} of yours in this community")
    return row


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
    bill = await _biller(ctx, data.biller).look_up(data.account_number)
    fee = Money(amount=ctx.settings.convenience_fee, currency=bill.amount.currency)
    claimed = await _claimed(ctx.community.id, bill.biller, bill.bill_ref)
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
    _biller(ctx, data.biller)
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
    fee = Money(amount=ctx.settings.convenience_fee, currency=data.amount.currency)
    claimed = await (
        BillPaymentRow.insert(
            BillPaymentRow(
                community_id=community,
                claim=_claim(community, data.biller, data.bill_ref),
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
        row = await _claimed(community, data.biller, data.bill_ref)
        if row is None:
            raise Conflict("this bill's payment was just refunded; look it up and pay again")
        if row["payer_id"] != payer:
            raise Conflict("this bill is already paid or being paid by another member")
        return _payment(row)
    payment_id = claimed[0]["id"]
    charge = await ctx.host.payments.charge(
        order_ref=_order_ref(payment_id),
        amount=total_due(data.amount, fee),
        payer_id=payer,
        payees={"leader": data.leader_id, "biller": ctx.settings.biller_payee_id},
    )
    await BillPaymentRow.update({BillPaymentRow.charge_id: charge.id}).where(
        BillPaymentRow.id == payment_id
    )
    await ctx.host.deadlines.schedule(f"{_CONFIRM}{payment_id}", ctx.now, {})
    row = await _row(community, payment_id)
    assert row is not None
    return _payment(row)


@query(Role.MEMBER)
async def get_payment(ctx: Ctx, data: PaymentRef) -> Payment:
    """Show one of the caller's payments (operators and auditors see every payment)."""
    return _payment(await _visible(ctx, data.payment_id))


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
    return PaymentList(items=[_payment(r) for r in rows])


@query(Role.MEMBER)
async def receipt(ctx: Ctx, data: PaymentRef) -> Document:
    """Download the receipt (回执) of a paid bill as JSON."""
    payment = _payment(await _visible(ctx, data.payment_id))
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


@command(Role.MEMBER)
async def save_account(ctx: Ctx, data: NewAccount) -> Account:
    """Remember a biller account; ``shared`` saves it for the whole community (staff only)."""
    _biller(ctx, data.biller)
    if data.shared and not ctx.caller.has_role(Role.OPERATOR, Role.LEADER):
        raise Forbidden("only operators and leaders save accounts for the whole community")
    row = BillAccountRow(
        community_id=ctx.community.id,
        member_id=None if data.shared else ctx.caller.member_id,
        biller=data.biller,
        account_number=data.account_number,
        label=data.label,
    )
    await row.save()
    return Account(
        id=row.id,
        biller=data.biller,
        account_number=data.account_number,
        label=data.label,
        shared=data.shared,
    )


@query(Role.MEMBER)
async def list_accounts(ctx: Ctx, data: Empty) -> AccountList:
    """List the caller's saved accounts and the community's shared ones."""
    rows = (
        await BillAccountRow.select()
        .where(
            (BillAccountRow.community_id == ctx.community.id)
            & (
                BillAccountRow.member_id.is_null()
                | (BillAccountRow.member_id == (ctx.caller.member_id or 0))
            )
        )
        .order_by(BillAccountRow.id)
    )
    return AccountList(
        items=[
            Account(
                id=r["id"],
                biller=r["biller"],
                account_number=r["account_number"],
                label=r["label"],
                shared=r["member_id"] is None,
            )
            for r in rows
        ]
    )


# --- after commit: pay the biller, or refund -------------------------------------------------


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
        row["charge_id"], total, reason=reason, ref=f"{_order_ref(row['id'])}-refund"
    )


async def confirm_payment(host: Host, payment_id: int, now: datetime) -> None:
    """Pay the biller for a pending payment once its charge is captured; refund if refused.

    Runs from the ``confirm:<id>`` deadline, outside the paying operation's transaction. A
    charge the gateway has not captured yet is looked at again later (the wait doubles, up to
    an hour). ``Biller.pay`` is idempotent by the payment's reference, so a retry after a crash
    cannot pay the bill twice; `BillerUnavailable` propagates and the host retries the deadline.
    """
    row = await _row(host.community.id, payment_id)
    if row is None or row["status"] != PaymentStatus.PENDING:
        return
    currency = row["currency"]
    bill = Money(amount=row["bill_amount"], currency=currency)
    total = total_due(bill, Money(amount=row["fee"], currency=currency))
    charge = await host.payments.charge(  # the same order returns the first charge
        order_ref=_order_ref(payment_id),
        amount=total,
        payer_id=row["payer_id"],
        payees={"leader": row["leader_id"], "biller": row["biller_payee_id"]},
    )
    if charge.status is ChargeStatus.FAILED:  # final: the event says so too, whichever is first
        await _fail(host, row, now, charge.id)
        return
    if charge.status in _UNCONFIRMED:  # the gateway has not captured it yet
        waits = row["waits"] + 1
        await BillPaymentRow.update({BillPaymentRow.waits: waits}).where(
            BillPaymentRow.id == payment_id
        )
        await host.deadlines.schedule(f"{_CONFIRM}{payment_id}", now + next_wait(waits), {})
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
            row["bill_ref"], bill, reference=f"linli-{host.community.id}-{_order_ref(payment_id)}"
        )
    except BillerRefused as refused:
        await _refund(host, row, total, f"biller refused: {refused.detail}")
        await _settle(host, row, PaymentStatus.REFUNDED, now, failure=refused.detail)
        return
    await _settle(host, row, PaymentStatus.PAID, now, confirmation=confirmation)


async def _fail(host: Host, row: dict[str, Any], now: datetime, charge_id: str) -> None:
    """The gateway refused the payment's charge: fail it, free the bill, stop looking."""
    await _settle(host, row, PaymentStatus.FAILED, now, failure=f"charge {charge_id} refused")
    await host.deadlines.cancel(f"{_CONFIRM}{row['id']}")


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
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
        await _fail(host, row, datetime.now(UTC), row["charge_id"])


@hookimpl
async def linli_deadline_reached(host: Host, deadline: Deadline) -> None:
    """Confirm a payment with its biller when its ``confirm:<id>`` deadline is due."""
    if deadline.key.startswith(_CONFIRM):
        payment_id = int(deadline.key.removeprefix(_CONFIRM))
        await confirm_payment(host, payment_id, datetime.now(UTC))


@hookimpl
async def linli_seed_demo(host: Host) -> None:
    """Save the demo community's shared biller accounts (a household's water, the lobby's power)."""
    for biller, account_number, label in (
        ("sandbox_water", "3101001234", "3号楼 101 自来水 Building 3 flat 101, water"),
        ("sandbox_power", "8800112233", "3号楼大堂电费 Building 3 lobby, electricity"),
        ("sandbox_property", "6600003", "物业费 Property fee, flat 101"),
    ):
        await BillAccountRow.insert(
            BillAccountRow(
                community_id=host.community.id,
                biller=biller,
                account_number=account_number,
                label=label,
            )
        )


manifest = Manifest(
    name="bill_payment",
    version="0.1.0",
    sdk=">=0.1,<0.2",
    title="Bill payment (代缴水电费)",
    description="Residents pay water, electricity, gas and property bills through their station, "
    "never twice; a bill the biller refuses is refunded automatically.",
    settings=BillPaymentSettings,
    operations=(
        list_billers,
        look_up_bill,
        pay_bill,
        get_payment,
        my_payments,
        receipt,
        save_account,
        list_accounts,
    ),
    revenue_share=RULES,
    piccolo_app="linli_bill_payment.piccolo_app",
)
