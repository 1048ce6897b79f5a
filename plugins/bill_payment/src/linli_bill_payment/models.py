"""What the bill payment module's operations take and return, and what an operator may set."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from linli_sdk import Context, Money, MoneyBounds
from pydantic import BaseModel, Field

from .billers import BILLERS, Bill, BillKind


class BillPaymentSettings(BaseModel):
    """What an operator may set per community."""

    convenience_fee: Annotated[
        Money, MoneyBounds(min=Money.zero("CNY"), max=Money(amount=1000, currency="CNY"))
    ] = Field(
        default=Money(amount=100, currency="CNY"),
        description=(
            "The convenience fee added to each bill (CNY 0-10; 0 for none). It must equal the "
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
