"""The group buying module (社区团购): its manifest and hook implementations.

The entry point ``linli.plugins: group_buying`` names this module. Campaigns live in
:mod:`.campaigns`, orders in :mod:`.orders`, closing in :mod:`.closing`, pickup in
:mod:`.pickup`, after-sale in :mod:`.after_sale`, reports in :mod:`.reports` and live flash
sales (社区团播) in :mod:`.live`; the models in :mod:`.models` and the pure rules in
:mod:`.pricing`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from linli_sdk import (
    CreditEventSpec,
    Host,
    Manifest,
    Money,
    PayoutHold,
    RevenueShareRules,
    Role,
    fixed,
    hookimpl,
    percent,
    remainder,
)

from . import after_sale, arrival, campaigns, closing, live, orders, pickup, reports
from .closing import DEADLINE_HANDLERS, closes_at_deadline
from .personal_data import linli_member_data, linli_member_erased
from .settings import GroupBuyingSettings, UncollectedPolicy
from .tables import CampaignRow

__all__ = [
    "PICKUP_FEE",
    "REVENUE_SHARE",
    "linli_member_data",
    "linli_member_erased",
    "linli_seed_demo",
    "manifest",
]

PICKUP_FEE = Money(amount=50, currency="CNY")
"""The pickup host's fixed fee per order (CNY 0.50); an operator may set CNY 0-5."""

REVENUE_SHARE = RevenueShareRules(
    shares=(
        percent("platform", 500, min=0, max=1000),
        percent("leader", 1000, min=500, max=1500),
        fixed(
            "pickup_host", PICKUP_FEE, min=Money.zero("CNY"), max=Money(amount=500, currency="CNY")
        ),
        percent("community_fund", 100),
        remainder("supplier"),
    ),
)
"""Platform 5 % (0-10 %), leader 10 % (5-15 %), pickup host a fixed fee per order, community
fund 1 %, the supplier the remainder (and the gateway's fee)."""


@hookimpl
async def linli_seed_demo(host: Host) -> None:
    """Open a strawberry group buy in the demo community, closing in two days.

    It forms at 3 buyers and costs 16.90 instead of 19.90 from 4, so the demo's four residents
    can form it and reach the tier. It is collected at the community's first pickup point, led
    by that point's leader (who may close it now); a provider's staff member supplies it.
    """
    points = [p for p in await host.pickup_points.all() if p.host_id and p.leader_id]
    suppliers = await host.members.with_role(Role.PROVIDER_STAFF)
    if not points or not suppliers:
        return
    point, supplier = points[0], suppliers[0]
    leader = point.leader_id
    now = datetime.now(UTC)
    deadline = now + timedelta(days=2)
    row = CampaignRow(
        community_id=host.community.id,
        title="有机草莓 Organic strawberries 500 g",
        product="Picked the morning before delivery; next-day pickup at Building 3.",
        currency="CNY",
        unit_price=1990,
        tiers=[{"at_least": 4, "unit_price": 1690}],
        stock_cap=200,
        sold=0,
        per_person_limit=5,
        measure="buyers",
        minimum=3,
        deadline=deadline,
        pickup_points=[{"id": point.id, "name": point.name, "host_id": point.host_id}],
        creator_id=leader,
        leader_id=leader,
        supplier_id=supplier,
        status="open",
        uncollected_days=3,
        uncollected_policy=UncollectedPolicy.REFUND.value,
        created_at=now,
    )
    await row.save()
    await host.deadlines.schedule(closes_at_deadline.key(campaign_id=row.id), deadline, {})


manifest = Manifest(
    name="group_buying",
    version="0.1.0",
    sdk=">=1.1,<2",
    title="Group buying (社区团购)",
    description=(
        "Campaigns that form at their minimum or refund everyone, tiered prices, pickup "
        "verification (核销), automatic after-sale compensation and live flash sales."
    ),
    settings=GroupBuyingSettings,
    operations=(
        *campaigns.OPERATIONS,
        *orders.OPERATIONS,
        *closing.OPERATIONS,
        *pickup.OPERATIONS,
        *arrival.OPERATIONS,
        *after_sale.OPERATIONS,
        *reports.OPERATIONS,
        *live.OPERATIONS,
    ),
    credit_events=(
        CreditEventSpec(
            name="collected_on_time",
            min_weight=1,
            max_weight=5,
            description="Collected a group-buy order within its pickup days.",
        ),
        CreditEventSpec(
            name="no_show",
            min_weight=-10,
            max_weight=-1,
            description="Left a group-buy order uncollected past its pickup days.",
        ),
        CreditEventSpec(
            name="damage_claim",
            min_weight=-3,
            max_weight=0,
            description="Was compensated for a damaged item.",
        ),
        CreditEventSpec(
            name="claim_abuse",
            min_weight=-20,
            max_weight=-5,
            description="Claimed damaged items past the monthly limit.",
        ),
    ),
    revenue_share=REVENUE_SHARE,
    payout_hold=PayoutHold(until_released=True),
    deadline_handlers=DEADLINE_HANDLERS,
    piccolo_app="linli_group_buying.piccolo_app",
    notification_kinds=arrival.NOTIFICATION_KINDS,
)
