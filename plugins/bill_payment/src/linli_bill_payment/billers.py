"""Billers (收费单位): the adapter interface to utilities, and the sandbox biller of the demo.

A biller looks a bill up by account number and takes its payment. The module calls
`Biller.look_up` in queries and `Biller.pay` only after the payment's transaction committed (from
a durable deadline), never inside an operation's transaction. `Biller.pay` must be idempotent by
``reference``: the module may call it again with the same reference after a crash or a retry,
and the biller answers with the first confirmation instead of taking the bill twice.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Protocol

from linli_sdk import LinliError, Money, NotFound
from pydantic import BaseModel, ConfigDict

__all__ = [
    "BILLERS",
    "Bill",
    "BillKind",
    "Biller",
    "BillerRefused",
    "BillerUnavailable",
    "SandboxBiller",
]


class BillKind(StrEnum):
    """What a bill is for."""

    WATER = "water"
    ELECTRICITY = "electricity"
    GAS = "gas"
    PROPERTY_FEE = "property_fee"


class Bill(BaseModel):
    """An unpaid bill as the biller reports it.

    Attributes:
        biller: The biller's name in this module (``sandbox_water``).
        kind: What the bill is for.
        account_number: The customer account the bill is for.
        bill_ref: The biller's own reference of the bill; a bill is paid at most once by it.
        period: The billing period, e.g. ``2026-11``.
        amount: What the biller must receive, in full.
        holder_masked: The account holder's name, masked (``陈*``).

    """

    model_config = ConfigDict(frozen=True)

    biller: str
    kind: BillKind
    account_number: str
    bill_ref: str
    period: str
    amount: Money
    holder_masked: str


class BillerRefused(LinliError):
    """The biller refused the payment for good (closed account, wrong amount): refund it."""

    status = 409
    title = "The biller refused the payment"
    slug = "biller-refused"


class BillerUnavailable(LinliError):
    """The biller could not be reached or answered an error: try again later."""

    status = 503
    title = "The biller is unavailable"
    slug = "biller-unavailable"


class Biller(Protocol):
    """A utility the module pays bills to (water, electricity, gas, property management)."""

    @property
    def name(self) -> str:
        """The biller's name in this module, a slug such as ``sandbox_water``."""
        ...

    @property
    def kind(self) -> BillKind:
        """What its bills are for."""
        ...

    @property
    def title(self) -> str:
        """Its display name, e.g. ``自来水公司 City Water``."""
        ...

    async def look_up(self, account_number: str) -> Bill:
        """Return the account's current unpaid bill.

        Raises:
            NotFound: No such account, or nothing to pay.
            BillerUnavailable: The biller could not answer.

        """
        ...

    async def pay(self, bill_ref: str, amount: Money, *, reference: str) -> str:
        """Pay ``bill_ref`` with ``amount``; return the biller's confirmation number.

        The same ``reference`` returns the first confirmation again.

        Raises:
            BillerRefused: The biller will not take this payment (refund it).
            BillerUnavailable: Try again later with the same reference.

        """
        ...


_PERIOD = "2026-11"
_SURNAMES = "陈王李张刘杨赵黄周吴"


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256(":".join(parts).encode()).digest()[:8], "big")


class SandboxBiller:
    """A deterministic biller for the demo and the tests; it never moves real money.

    Every account number of 6 to 20 digits has one bill for the period ``2026-11``, its amount
    (CNY 10.00 to 509.99) derived from the biller's name and the account number. Account numbers
    ending in ``404`` have no bill; those ending in ``0000`` are looked up normally but the
    payment is refused (a closed account), as is every payment when ``refuse_payments`` is set.
    A payment must be for the bill's exact amount. Confirmations derive from the reference, so
    paying again with a reference gives the same confirmation.
    """

    def __init__(
        self, name: str, kind: BillKind, title: str, *, refuse_payments: bool = False
    ) -> None:
        self.name, self.kind, self.title = name, kind, title
        self.refuse_payments = refuse_payments

    def _bill(self, account_number: str) -> Bill:
        if not (account_number.isdigit() and 6 <= len(account_number) <= 20):
            raise NotFound(f"{self.title}: no account {account_number!r} (6 to 20 digits)")
        if account_number.endswith("404"):
            raise NotFound(f"{self.title}: account {account_number} has nothing to pay")
        seed = _digest(self.name, account_number)
        return Bill(
            biller=self.name,
            kind=self.kind,
            account_number=account_number,
            bill_ref=f"{self.name.upper()}-{account_number}-{_PERIOD}",
            period=_PERIOD,
            amount=Money(amount=1_000 + seed % 50_000, currency="CNY"),
            holder_masked=f"{_SURNAMES[seed % len(_SURNAMES)]}*",
        )

    async def look_up(self, account_number: str) -> Bill:
        """Return the account's bill (see the class docstring for the sandbox's rules)."""
        return self._bill(account_number)

    async def pay(self, bill_ref: str, amount: Money, *, reference: str) -> str:
        """Take the payment unless the sandbox's rules refuse it; idempotent by ``reference``."""
        prefix = f"{self.name.upper()}-"
        account = bill_ref.removeprefix(prefix).rsplit("-", 2)[0]
        try:
            bill = self._bill(account)
        except NotFound as missing:
            raise BillerRefused(f"{self.title}: no bill {bill_ref}") from missing
        if bill.bill_ref != bill_ref:
            raise BillerRefused(f"{self.title}: no bill {bill_ref}")
        if amount != bill.amount:
            raise BillerRefused(f"{self.title}: {bill_ref} is {bill.amount}, not {amount}")
        if self.refuse_payments or account.endswith("0000"):
            raise BillerRefused(f"{self.title}: account {account} is closed")
        return f"SBX-{_digest(self.name, reference):016X}"


BILLERS: dict[str, Biller] = {
    biller.name: biller
    for biller in (
        SandboxBiller("sandbox_water", BillKind.WATER, "自来水 City Water (sandbox)"),
        SandboxBiller("sandbox_power", BillKind.ELECTRICITY, "国家电网 State Grid (sandbox)"),
        SandboxBiller("sandbox_gas", BillKind.GAS, "燃气 City Gas (sandbox)"),
        SandboxBiller(
            "sandbox_property", BillKind.PROPERTY_FEE, "物业费 Property management (sandbox)"
        ),
    )
}
"""The billers this module knows, by name; an operator enables some of them per community."""
