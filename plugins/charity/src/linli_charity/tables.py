"""The charity module's own tables (prefixed with the module's name)."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["CampaignRow", "FundEntryRow", "FundRow", "PurchaseRow"]


class FundRow(Table, tablename="charity_fund"):
    """A named community fund or NGO that campaigns donate to, with its running balance."""

    id = Serial(primary_key=True)
    community_id = Integer(index=True)
    fund_key = Varchar(length=140, unique=True)  # "<community id>:<name>"
    name = Varchar(length=120)
    kind = Varchar(length=20)
    currency = Varchar(length=3)
    balance = Integer(default=0)
    created_at = Timestamptz()


class CampaignRow(Table, tablename="charity_campaign"):
    """A charity or farm-aid campaign (公益团购 / 助农): a product sold for a fund."""

    id = Serial(primary_key=True)
    community_id = Integer(index=True)
    fund_id = Integer(index=True)
    title = Varchar(length=120)
    description = Text(default="")
    seller_id = Integer()
    unit_price = Integer()
    currency = Varchar(length=3)
    open = Boolean(default=True)
    created_by = Integer()
    created_at = Timestamptz()


class PurchaseRow(Table, tablename="charity_purchase"):
    """One member's purchase in a campaign; ``donated`` is set once the charge is captured.

    ``failed`` is set instead when the gateway refuses the charge.
    """

    id = Serial(primary_key=True)
    community_id = Integer(index=True)
    campaign_id = Integer(index=True)
    fund_id = Integer()
    buyer_id = Integer(index=True)
    seller_id = Integer()
    quantity = Integer()
    amount = Integer()
    currency = Varchar(length=3)
    charge_id = Varchar(length=40, default="")
    donated = Integer(null=True, default=None)
    refunded_donation = Integer(default=0)
    waits = Integer(default=0)
    failed = Boolean(default=False)  # the gateway refused the charge: nothing was given
    created_at = Timestamptz()


class FundEntryRow(Table, tablename="charity_fund_entry"):
    """One line of a fund's public ledger: money in (a donation) or out (a refund, a grant).

    ``amount`` is signed: positive in, negative out. ``entry_key`` makes each line happen once.
    """

    id = Serial(primary_key=True)
    community_id = Integer(index=True)
    fund_id = Integer(index=True)
    entry_key = Varchar(length=200, unique=True)
    kind = Varchar(length=20)
    amount = Integer()
    currency = Varchar(length=3)
    purpose = Text()
    purchase_id = Integer(null=True, default=None)
    recorded_by = Integer(null=True, default=None)
    recorded_at = Timestamptz()
