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

from datetime import UTC, datetime

from linli_sdk import Event, Host, Manifest, hookimpl

from .accounts import list_accounts, save_account
from .confirmation import charge_failed, confirm_due, confirm_payment
from .models import (
    Account,
    AccountList,
    BillerInfo,
    BillerList,
    BillPaymentSettings,
    BillQuery,
    BillQuote,
    Ctx,
    NewAccount,
    PayBill,
    Payment,
    PaymentList,
    PaymentRef,
    PaymentStatus,
)
from .payments import get_payment, list_billers, look_up_bill, my_payments, pay_bill, receipt
from .personal_data import linli_member_data, linli_member_erased
from .rules import RULES
from .tables import BillAccountRow

__all__ = [
    "Account",
    "AccountList",
    "BillPaymentSettings",
    "BillQuery",
    "BillQuote",
    "BillerInfo",
    "BillerList",
    "Ctx",
    "NewAccount",
    "PayBill",
    "Payment",
    "PaymentList",
    "PaymentRef",
    "PaymentStatus",
    "confirm_payment",
    "get_payment",
    "linli_member_data",
    "linli_member_erased",
    "list_accounts",
    "list_billers",
    "look_up_bill",
    "manifest",
    "my_payments",
    "pay_bill",
    "receipt",
    "save_account",
]
"""The manifest, and (for callers that import them from here) the operations and their models."""


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    """A charge the gateway refused fails its payment at once (no more waiting for it)."""
    await charge_failed(host, event, datetime.now(UTC))


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
    sdk=">=1.1,<2",
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
    deadline_handlers=(confirm_due,),
)
