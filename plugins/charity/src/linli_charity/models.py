"""What the charity module's operations take and return: campaigns, purchases, funds, ledgers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from linli_sdk import Context, Empty, Money, Role
from pydantic import BaseModel, Field

from .rules import EntryKind, FundTotals

STAFF = (Role.OPERATOR, Role.LEADER)
"""Who may open campaigns, refund purchases and disburse from funds."""

Ctx = Context[Empty]


class FundKind(StrEnum):
    """Who a fund is."""

    COMMUNITY = "community"
    """The community's own fund (社区基金)."""
    NGO = "ngo"
    """A named charity or NGO the community supports (公益组织)."""


class NewCampaign(BaseModel):
    """A campaign to open: what is sold, by whom, for which fund."""

    title: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    fund_name: str = Field(min_length=1, max_length=120)
    fund_kind: FundKind = FundKind.COMMUNITY
    seller_id: int
    unit_price: Money


class Campaign(BaseModel):
    """A campaign and the fund it donates to."""

    id: int
    title: str
    description: str
    fund_id: int
    fund_name: str
    seller_id: int
    unit_price: Money
    open: bool
    declared_donation_bp: int = Field(
        description="The fund's declared share in basis points; an operator may have moved it "
        "within its bounds, and each purchase's receipt shows what was given."
    )


class CampaignList(BaseModel):
    """The community's campaigns, newest first."""

    items: list[Campaign]


class Buy(BaseModel):
    """What to buy in a campaign."""

    campaign_id: int
    quantity: int = Field(default=1, ge=1, le=100)


class Purchase(BaseModel):
    """A purchase and what it gave its fund (``None`` until the charge is captured).

    ``failed`` is true when the gateway refused the charge: nothing was paid nor given.
    """

    id: int
    campaign_id: int
    fund_id: int
    buyer_id: int
    quantity: int
    amount: Money
    charge_id: str
    donated: Money | None
    refunded_donation: Money
    created_at: datetime
    failed: bool = False


class PurchaseList(BaseModel):
    """Purchases, newest first."""

    items: list[Purchase]


class PurchaseRef(BaseModel):
    """One purchase, by id."""

    purchase_id: int


class RefundPurchase(BaseModel):
    """Refund part or all of a purchase; ``ref`` makes it happen once."""

    purchase_id: int
    amount: Money
    reason: str = Field(min_length=1, max_length=500)
    ref: str = Field(min_length=1, max_length=80)


class Disbursement(BaseModel):
    """Money paid out of a fund, and what for."""

    fund_id: int
    amount: Money
    purpose: str = Field(min_length=1, max_length=500)


class FundRef(BaseModel):
    """One fund, by id."""

    fund_id: int


class Fund(BaseModel):
    """A fund and its balance."""

    id: int
    name: str
    kind: FundKind
    balance: Money


class FundList(BaseModel):
    """The community's funds."""

    items: list[Fund]


class FundEntry(BaseModel):
    """One line of a fund's public ledger: signed, positive in, negative out."""

    id: int
    kind: EntryKind
    amount: Money
    purpose: str
    purchase_id: int | None
    recorded_at: datetime


class FundLedger(BaseModel):
    """A fund's public ledger: every line, oldest first, and its totals (minor units)."""

    fund: Fund
    entries: list[FundEntry]
    totals: FundTotals
