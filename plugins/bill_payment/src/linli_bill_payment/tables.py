"""The bill payment module's own table (prefixed with the module's name)."""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["BillAccountRow", "BillPaymentRow"]


class BillPaymentRow(Table, tablename="bill_payment_payment"):
    """One attempt to pay one bill for a member of one community.

    ``claim`` is ``<community id>:<biller>:<bill ref>`` while the attempt is pending or paid:
    its unique index is what lets only one attempt per bill exist, however many requests race.
    A refunded attempt releases its claim (``NULL``), so the bill may be paid again.
    """

    id = Serial(primary_key=True)
    community_id = Integer(index=True)
    claim = Varchar(length=300, unique=True, null=True, default=None)
    biller = Varchar(length=40)
    account_number = Varchar(length=20)
    bill_ref = Varchar(length=120)
    period = Varchar(length=20)
    currency = Varchar(length=3)
    bill_amount = Integer()
    fee = Integer()
    payer_id = Integer()
    leader_id = Integer()
    biller_payee_id = Integer()
    charge_id = Varchar(length=40, default="")
    status = Varchar(length=20, default="pending")
    confirmation = Varchar(length=80, default="")
    failure = Text(default="")
    waits = Integer(default=0)
    created_at = Timestamptz()
    settled_at = Timestamptz(null=True, default=None)


class BillAccountRow(Table, tablename="bill_payment_account"):
    """A saved biller account (户号): a member's own, or the community's (``member_id`` NULL)."""

    id = Serial(primary_key=True)
    community_id = Integer(index=True)
    member_id = Integer(null=True, default=None)
    biller = Varchar(length=40)
    account_number = Varchar(length=20)
    label = Varchar(length=80)
