"""Charity purchases (公益团购 / 助农): campaigns where part of every purchase goes to a fund.

An operator or leader opens a campaign for a named community fund or NGO; residents buy; the
revenue-share rules give the ``community_fund`` party its declared part of each charge, and the
module records exactly that in the fund's public ledger once the charge is captured. Refunds
take the fund's part back, disbursements (with their purpose) take money out, and every member
of the community can read the ledger. Buyers get a donation receipt. A purchase whose charge
the gateway refuses (``settlement.charge_failed``) is marked failed and gives nothing.

The entry point ``linli.plugins: charity`` names this module.
"""

from __future__ import annotations

from datetime import UTC, datetime

from linli_sdk import Event, Host, Manifest, hookimpl

from .donations import charge_failed, donation_due, record_donation
from .funds import disburse, fund_ledger, list_funds
from .models import (
    Buy,
    Campaign,
    CampaignList,
    Ctx,
    Disbursement,
    Fund,
    FundEntry,
    FundKind,
    FundLedger,
    FundList,
    FundRef,
    NewCampaign,
    Purchase,
    PurchaseList,
    PurchaseRef,
    RefundPurchase,
)
from .personal_data import linli_member_data, linli_member_erased
from .purchases import (
    buy,
    create_campaign,
    donation_receipt,
    list_campaigns,
    my_purchases,
    refund_purchase,
)
from .rules import RULES
from .store import fund_for
from .tables import CampaignRow

__all__ = [
    "Buy",
    "Campaign",
    "CampaignList",
    "Ctx",
    "Disbursement",
    "Fund",
    "FundEntry",
    "FundKind",
    "FundLedger",
    "FundList",
    "FundRef",
    "NewCampaign",
    "Purchase",
    "PurchaseList",
    "PurchaseRef",
    "RefundPurchase",
    "buy",
    "create_campaign",
    "disburse",
    "donation_receipt",
    "fund_ledger",
    "linli_member_data",
    "linli_member_erased",
    "list_campaigns",
    "list_funds",
    "manifest",
    "my_purchases",
    "record_donation",
    "refund_purchase",
]
"""The manifest, and (for callers that import them from here) the operations and their models."""


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    """A charge the gateway refused fails its purchase at once (no more waiting for it)."""
    await charge_failed(host, event)


@hookimpl
async def linli_seed_demo(host: Host) -> None:
    """Open a farm-aid campaign (助农) for the demo community's fund."""
    community = host.community.id
    fund_id = await fund_for(
        community, "阳光花园社区基金 Community fund", FundKind.COMMUNITY, "CNY"
    )
    await CampaignRow.insert(
        CampaignRow(
            community_id=community,
            fund_id=fund_id,
            title="助农苹果 Farm-aid apples from Yan'an, 5 kg",
            description="10 % of every box goes to the community fund (elderly lunch programme).",
            seller_id=0,
            unit_price=4_990,
            currency="CNY",
            created_by=0,
            created_at=datetime.now(UTC),
        )
    )


manifest = Manifest(
    name="charity",
    version="0.1.0",
    sdk=">=1.1,<2",
    title="Charity purchases (公益团购)",
    description="Charity and farm-aid campaigns: a declared part of every purchase goes to a "
    "named community fund or NGO, on a public ledger every member can read.",
    operations=(
        create_campaign,
        list_campaigns,
        buy,
        my_purchases,
        refund_purchase,
        disburse,
        list_funds,
        fund_ledger,
        donation_receipt,
    ),
    revenue_share=RULES,
    piccolo_app="linli_charity.piccolo_app",
    deadline_handlers=(donation_due,),
)
