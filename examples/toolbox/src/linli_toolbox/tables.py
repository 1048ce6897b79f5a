"""The toolbox's own table: one row per loan, prefixed with the module's name."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["LoanRow"]


class LoanRow(Table, tablename="toolbox_loan"):
    """A tool lent by one neighbour to another, its fee, its deposit and its return."""

    id: Serial  # Piccolo adds the primary key itself; the annotation tells type checkers

    community_id = Integer(index=True)
    tool = Varchar(length=120)
    lender_id = Integer()
    borrower_id = Integer()
    fee = Integer()
    deposit = Integer()
    currency = Varchar(length=3)
    fee_charge_id = Varchar(length=64)
    deposit_charge_id = Varchar(length=64)
    lent_at = Timestamptz()
    due_at = Timestamptz()
    returned_at = Timestamptz(null=True, default=None)
    on_time = Boolean(null=True, default=None)
