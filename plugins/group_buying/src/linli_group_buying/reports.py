"""Reports for leaders and suppliers: GMV, orders, conversion; demand per pickup point.

Figures come per campaign and per live session.

Demand per pickup point lets suppliers buy to order (以销定采).

Leaders and suppliers see the campaigns they run; operators and auditors see every one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from linli_sdk import Money, Role, query
from piccolo.custom_types import Combinable
from pydantic import BaseModel, Field

from .live_tables import LiveItem, LiveOrder, LiveSession
from .models import Ctx
from .tables import CampaignRow, OrderRow

__all__ = ["OPERATIONS", "CampaignReport", "LiveSessionReport", "PointDemand", "live_report"]

BASIS_POINTS_WHOLE = 10_000


class ReportRequest(BaseModel):
    """Which campaigns to report on."""

    campaign_id: int | None = Field(default=None, description="One campaign, or all of yours.")


class CampaignReport(BaseModel):
    """One campaign's figures.

    ``gmv`` is what residents paid net of every refund (authorised amounts while it is open);
    ``conversion_bp`` the share of orders placed that were confirmed, and ``pickup_bp`` the
    share of confirmed orders collected, in basis points.
    """

    campaign_id: int
    title: str
    status: str
    gmv: Money
    buyers: int
    orders_placed: int
    orders_confirmed: int
    orders_collected: int
    units_sold: int
    conversion_bp: int
    pickup_bp: int


class PointDemand(BaseModel):
    """How many units of a campaign go to one pickup point, in how many orders."""

    campaign_id: int
    pickup_point: str
    orders: int
    units: int


class Reports(BaseModel):
    """Per-campaign figures and demand per pickup point."""

    campaigns: list[CampaignReport]
    demand: list[PointDemand]


def _ratio(part: int, whole: int) -> int:
    return part * BASIS_POINTS_WHOLE // whole if whole else 0


def campaign_report(campaign: dict[str, Any], orders: list[dict[str, Any]]) -> CampaignReport:
    """The figures of one campaign from its orders (a pure function)."""
    live = [o for o in orders if o["status"] != "cancelled"]
    confirmed = [o for o in live if o["status"] != "authorized"]
    collected = [o for o in confirmed if o["collected"] > 0]
    net = sum(o["amount"] - o["refunded"] - o["compensated"] for o in live)
    return CampaignReport(
        campaign_id=campaign["id"],
        title=campaign["title"],
        status=campaign["status"],
        gmv=Money(amount=net, currency=campaign["currency"]),
        buyers=len({o["member_id"] for o in live}),
        orders_placed=len(orders),
        orders_confirmed=len(confirmed),
        orders_collected=len(collected),
        units_sold=sum(o["quantity"] for o in live),
        conversion_bp=_ratio(len(confirmed), len(orders)),
        pickup_bp=_ratio(len(collected), len(confirmed)),
    )


def demand(orders: list[dict[str, Any]]) -> list[PointDemand]:
    """Units and orders per campaign and pickup point, cancelled orders left out."""
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for order in orders:
        if order["status"] == "cancelled":
            continue
        entry = totals[(order["campaign_id"], order["pickup_point"])]
        entry[0] += 1
        entry[1] += order["quantity"]
    return [
        PointDemand(campaign_id=c, pickup_point=p, orders=n, units=u)
        for (c, p), (n, u) in sorted(totals.items())
    ]


@query(Role.LEADER, Role.PROVIDER_STAFF, Role.OPERATOR, Role.AUDITOR)
async def campaign_reports(ctx: Ctx, data: ReportRequest) -> Reports:
    """GMV, orders and conversion per campaign, and demand per pickup point."""
    where: Combinable = CampaignRow.community_id == ctx.community.id
    if data.campaign_id is not None:
        where &= CampaignRow.id == data.campaign_id
    if not ctx.caller.has_role(Role.OPERATOR, Role.AUDITOR):
        me = ctx.caller.member_id
        where &= (CampaignRow.leader_id == me) | (CampaignRow.supplier_id == me)
    campaigns = await CampaignRow.select().where(where).order_by(CampaignRow.id)
    if not campaigns:
        return Reports(campaigns=[], demand=[])
    orders = await (
        OrderRow.select()
        .where(
            (OrderRow.community_id == ctx.community.id)
            & OrderRow.campaign_id.is_in([c["id"] for c in campaigns])
        )
        .order_by(OrderRow.id)
    )
    by_campaign: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for order in orders:
        by_campaign[order["campaign_id"]].append(order)
    return Reports(
        campaigns=[campaign_report(c, by_campaign[c["id"]]) for c in campaigns],
        demand=demand(orders),
    )


class LiveReportRequest(BaseModel):
    """Which live sessions to report on."""

    session_id: int | None = Field(default=None, description="One session, or all of yours.")


class LiveSessionReport(BaseModel):
    """One live session's figures (for a supplier: only the items it supplies).

    Live orders are paid at once, so ``gmv`` is what was paid; ``sell_through_bp`` is the share
    of the stock put on sale that sold, and ``pickup_bp`` the share of orders handed over, in
    basis points.
    """

    session_id: int
    title: str
    status: str
    gmv: Money
    buyers: int
    orders: int
    orders_collected: int
    units_offered: int
    units_sold: int
    sell_through_bp: int
    pickup_bp: int


class LiveReports(BaseModel):
    """Per-session figures."""

    sessions: list[LiveSessionReport]


def live_report(
    session: dict[str, Any], items: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> LiveSessionReport:
    """The figures of one live session from its items and orders (a pure function)."""
    offered = sum(i["stock"] for i in items)
    sold = sum(o["quantity"] for o in orders)
    collected = [o for o in orders if o["collected_at"] is not None]
    currency = items[0]["currency"] if items else "CNY"
    return LiveSessionReport(
        session_id=session["id"],
        title=session["title"],
        status="open" if session["closed_at"] is None else "closed",
        gmv=Money(amount=sum(o["amount"] for o in orders), currency=currency),
        buyers=len({o["buyer_id"] for o in orders}),
        orders=len(orders),
        orders_collected=len(collected),
        units_offered=offered,
        units_sold=sold,
        sell_through_bp=_ratio(sold, offered),
        pickup_bp=_ratio(len(collected), len(orders)),
    )


@query(Role.LEADER, Role.PROVIDER_STAFF, Role.OPERATOR, Role.AUDITOR)
async def live_session_reports(ctx: Ctx, data: LiveReportRequest) -> LiveReports:
    """GMV, orders, sell-through and pickups per live session.

    Leaders see their sessions, suppliers the items they supply, operators and auditors all.
    """
    community = ctx.community.id
    items_where: Combinable = LiveItem.community_id == community
    if data.session_id is not None:
        items_where &= LiveItem.session_id == data.session_id
    if not ctx.caller.has_role(Role.OPERATOR, Role.AUDITOR):
        me = ctx.caller.member_id
        items_where &= (LiveItem.leader_id == me) | (LiveItem.supplier_id == me)
    items = await LiveItem.select().where(items_where).order_by(LiveItem.id)
    if not items:
        return LiveReports(sessions=[])
    sessions = await (
        LiveSession.select()
        .where(
            (LiveSession.community_id == community)
            & LiveSession.id.is_in(sorted({i["session_id"] for i in items}))
        )
        .order_by(LiveSession.id)
    )
    orders = await LiveOrder.select().where(
        (LiveOrder.community_id == community) & LiveOrder.item_id.is_in([i["id"] for i in items])
    )
    return LiveReports(
        sessions=[
            live_report(
                s,
                [i for i in items if i["session_id"] == s["id"]],
                [o for o in orders if o["session_id"] == s["id"]],
            )
            for s in sessions
        ]
    )


OPERATIONS = (campaign_reports, live_session_reports)
"""The report operations."""
