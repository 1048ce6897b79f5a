"""Campaigns (团购): a leader or a supplier opens one, residents join it, it closes at its deadline.

Joining takes a unit of stock with one conditional ``UPDATE`` (never oversold, also under
concurrent joins) and the per-person allowance the same way, then authorises the payment
through the host (``capture=False``). At the deadline (a durable deadline) the campaign either
forms or is cancelled (:mod:`.closing`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from linli_sdk import (
    Conflict,
    Context,
    Host,
    InvalidInput,
    Money,
    NotFound,
    Role,
    command,
    query,
)
from pydantic import AwareDatetime, BaseModel, Field, field_validator

from . import pricing
from .pricing import Measure, Tier
from .settings import GroupBuyingSettings
from .tables import CampaignRow, OrderRow, ParticipantRow

__all__ = [
    "OPERATIONS",
    "Campaign",
    "CampaignList",
    "NewCampaign",
    "Order",
]

Ctx = Context[GroupBuyingSettings]

CLOSE = "close"
"""Deadline key prefix: the campaign's deadline (``close:{id}``), handled by :mod:`.closing`."""


class PickupPoint(BaseModel):
    """A pickup point (自提点) of a campaign and the member who keeps it."""

    name: str = Field(min_length=1, max_length=120)
    host_id: int


class TierPrice(BaseModel):
    """From ``at_least`` buyers (or units, as the campaign measures) on, this unit price."""

    at_least: int = Field(ge=2)
    unit_price: Money


class NewCampaign(BaseModel):
    """A group buy to open."""

    title: str = Field(min_length=1, max_length=120)
    product: str = Field(min_length=1, max_length=2000)
    unit_price: Money
    stock_cap: int = Field(ge=1, le=1_000_000)
    per_person_limit: int = Field(ge=1)
    measure: Measure = Measure.BUYERS
    minimum: int = Field(ge=1, description="Buyers (or units) needed by the deadline.")
    deadline: AwareDatetime
    pickup_points: list[PickupPoint] = Field(min_length=1, max_length=20)
    tiers: list[TierPrice] = Field(default_factory=list, max_length=10)
    leader_id: int | None = Field(default=None, description="The leader, if a supplier opens it.")
    supplier_id: int | None = Field(default=None, description="The supplier, if a leader opens it.")

    @field_validator("unit_price")
    @classmethod
    def _positive(cls, value: Money) -> Money:
        if value.amount <= 0:
            raise ValueError("the unit price must be positive")
        return value


class Campaign(BaseModel):
    """A campaign as residents and its organisers see it."""

    id: int
    title: str
    product: str
    unit_price: Money
    tiers: list[TierPrice]
    stock_cap: int
    sold: int
    left: int
    per_person_limit: int
    measure: Measure
    minimum: int
    deadline: datetime
    pickup_points: list[PickupPoint]
    leader_id: int
    supplier_id: int
    status: str
    final_unit_price: Money | None


class CampaignList(BaseModel):
    """Campaigns, newest first."""

    items: list[Campaign]


class ListCampaigns(BaseModel):
    """Which campaigns to list."""

    status: str | None = Field(default=None, pattern="^(open|confirmed|cancelled)$")
    limit: int = Field(default=50, ge=1, le=200)


class CampaignRef(BaseModel):
    """One campaign, by id."""

    campaign_id: int


class JoinCampaign(BaseModel):
    """An order in a campaign: how many, collected where."""

    campaign_id: int
    quantity: int = Field(ge=1)
    pickup_point: str


class Order(BaseModel):
    """A resident's order; the pickup code shows once the campaign is confirmed."""

    id: int
    campaign_id: int
    member_id: int
    quantity: int
    pickup_point: str
    unit_price: Money
    amount: Money
    charge_id: str
    status: str
    pickup_code: str | None
    collected: int
    refunded: Money
    compensated: Money


class OrderList(BaseModel):
    """Orders, newest first."""

    items: list[Order]


def campaign_view(row: dict[str, Any]) -> Campaign:
    """A campaign row as its model."""
    currency = row["currency"]
    final = row["final_unit_price"]
    return Campaign(
        id=row["id"],
        title=row["title"],
        product=row["product"],
        unit_price=Money(amount=row["unit_price"], currency=currency),
        tiers=[
            TierPrice(
                at_least=t["at_least"], unit_price=Money(amount=t["unit_price"], currency=currency)
            )
            for t in row["tiers"]
        ],
        stock_cap=row["stock_cap"],
        sold=row["sold"],
        left=row["stock_cap"] - row["sold"],
        per_person_limit=row["per_person_limit"],
        measure=Measure(row["measure"]),
        minimum=row["minimum"],
        deadline=row["deadline"],
        pickup_points=[PickupPoint(**p) for p in row["pickup_points"]],
        leader_id=row["leader_id"],
        supplier_id=row["supplier_id"],
        status=row["status"],
        final_unit_price=None if final is None else Money(amount=final, currency=currency),
    )


def order_view(row: dict[str, Any]) -> Order:
    """An order row as its model (the pickup code only once confirmed)."""

    def money(amount: int) -> Money:
        return Money(amount=amount, currency=row["currency"])

    return Order(
        id=row["id"],
        campaign_id=row["campaign_id"],
        member_id=row["member_id"],
        quantity=row["quantity"],
        pickup_point=row["pickup_point"],
        unit_price=money(row["unit_price"]),
        amount=money(row["amount"]),
        charge_id=row["charge_id"],
        status=row["status"],
        pickup_code=row["pickup_code"],
        collected=row["collected"],
        refunded=money(row["refunded"]),
        compensated=money(row["compensated"]),
    )


def tiers_of(row: dict[str, Any]) -> list[Tier]:
    """The campaign row's tiers as pricing values."""
    return [
        Tier(t["at_least"], Money(amount=t["unit_price"], currency=row["currency"]))
        for t in row["tiers"]
    ]


async def campaign_row(community_id: int, campaign_id: int) -> dict[str, Any]:
    """The campaign row, or :class:`NotFound`."""
    row = await (
        CampaignRow.select()
        .where((CampaignRow.id == campaign_id) & (CampaignRow.community_id == community_id))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound(f"there is no campaign {campaign_id} in this community")
    return row


async def _member_with(host: Host, member_id: int, role: Role, what: str) -> None:
    member = await host.members.get(member_id)
    if member is None or role not in member.roles:
        raise InvalidInput(f"{what} {member_id} is not a member with the role {role}", field=what)


def _checked_tiers(data: NewCampaign) -> list[TierPrice]:
    tiers = sorted(data.tiers, key=lambda t: t.at_least)
    last = data.unit_price
    for tier in tiers:
        if tier.unit_price.currency != data.unit_price.currency:
            raise InvalidInput("every tier is priced in the campaign's currency", field="tiers")
        if not 0 < tier.unit_price.amount < last.amount:
            raise InvalidInput(
                f"the tier from {tier.at_least} must cost less than {last}, more than nothing",
                field="tiers",
            )
        last = tier.unit_price
    if len({t.at_least for t in tiers}) != len(tiers):
        raise InvalidInput("two tiers start at the same count", field="tiers")
    return tiers


@command(Role.LEADER, Role.PROVIDER_STAFF)
async def open_campaign(ctx: Ctx, data: NewCampaign) -> Campaign:
    """Open a group buy until its deadline; it forms at the minimum or refunds everyone.

    A leader names the supplier (``supplier_id``); a supplier names the leader (``leader_id``).
    """
    caller = ctx.caller.member_id
    assert caller is not None
    if ctx.caller.has_role(Role.LEADER) and data.leader_id in (None, caller):
        leader_id, supplier_id = caller, data.supplier_id
    else:
        leader_id, supplier_id = data.leader_id, caller
    if leader_id is None or supplier_id is None:
        raise InvalidInput("name the supplier (supplier_id) or the leader (leader_id)")
    await _member_with(ctx.host, leader_id, Role.LEADER, "leader_id")
    await _member_with(ctx.host, supplier_id, Role.PROVIDER_STAFF, "supplier_id")
    for point in data.pickup_points:
        await _member_with(ctx.host, point.host_id, Role.PICKUP_HOST, "pickup_points")
    if len({p.name for p in data.pickup_points}) != len(data.pickup_points):
        raise InvalidInput("pickup point names must differ", field="pickup_points")
    if not ctx.now < data.deadline <= ctx.now + timedelta(days=ctx.settings.max_campaign_days):
        raise InvalidInput(
            f"the deadline must be within {ctx.settings.max_campaign_days} days from now",
            field="deadline",
        )
    if data.per_person_limit > data.stock_cap:
        raise InvalidInput("the per-person limit exceeds the stock", field="per_person_limit")
    if data.measure is Measure.QUANTITY and data.minimum > data.stock_cap:
        raise InvalidInput("the minimum exceeds the stock", field="minimum")
    tiers = _checked_tiers(data)
    row = CampaignRow(
        community_id=ctx.community.id,
        title=data.title,
        product=data.product,
        currency=data.unit_price.currency,
        unit_price=data.unit_price.amount,
        tiers=[{"at_least": t.at_least, "unit_price": t.unit_price.amount} for t in tiers],
        stock_cap=data.stock_cap,
        sold=0,
        per_person_limit=data.per_person_limit,
        measure=data.measure.value,
        minimum=data.minimum,
        deadline=data.deadline,
        pickup_points=[p.model_dump() for p in data.pickup_points],
        creator_id=caller,
        leader_id=leader_id,
        supplier_id=supplier_id,
        status="open",
        uncollected_days=ctx.settings.uncollected_days,
        uncollected_policy=ctx.settings.uncollected_policy.value,
        created_at=ctx.now,
    )
    await row.save()
    key = f"{CLOSE}:{row.id}"
    await ctx.host.deadlines.schedule(key, data.deadline, {"campaign_id": row.id})
    await ctx.host.events.publish(
        "campaign_opened",
        {"campaign_id": row.id, "title": data.title, "deadline": data.deadline.isoformat()},
    )
    return campaign_view(await campaign_row(ctx.community.id, row.id))


@query(Role.MEMBER)
async def list_campaigns(ctx: Ctx, data: ListCampaigns) -> CampaignList:
    """List the community's campaigns, newest first."""
    where = CampaignRow.community_id == ctx.community.id
    if data.status:
        where &= CampaignRow.status == data.status
    rows = await (
        CampaignRow.select()
        .where(where)
        .order_by(CampaignRow.id, ascending=False)
        .limit(data.limit)
        .output(load_json=True)
    )
    return CampaignList(items=[campaign_view(r) for r in rows])


@query(Role.MEMBER)
async def get_campaign(ctx: Ctx, data: CampaignRef) -> Campaign:
    """One campaign, with the stock left."""
    return campaign_view(await campaign_row(ctx.community.id, data.campaign_id))


async def _take_allowance(community: int, campaign: dict[str, Any], member: int, n: int) -> bool:
    key = f"{community}:{campaign['id']}:{member}"
    await ParticipantRow.insert(
        ParticipantRow(
            community_id=community, campaign_id=campaign["id"], member_id=member, key=key
        )
    ).on_conflict(target=ParticipantRow.key, action="DO NOTHING")
    taken = await ParticipantRow.raw(
        "UPDATE group_buying_participant SET quantity = quantity + {} "
        "WHERE key = {} AND quantity + {} <= {} RETURNING quantity",
        n,
        key,
        n,
        campaign["per_person_limit"],
    )
    return bool(taken)


async def _give_back_allowance(community: int, campaign_id: int, member: int, n: int) -> None:
    await ParticipantRow.raw(
        "UPDATE group_buying_participant SET quantity = quantity - {} WHERE key = {}",
        n,
        f"{community}:{campaign_id}:{member}",
    )


async def _take_stock(community: int, campaign_id: int, n: int) -> bool:
    """Take ``n`` units in one conditional UPDATE: it never lets ``sold`` pass the cap."""
    taken = await CampaignRow.raw(
        "UPDATE group_buying_campaign SET sold = sold + {} "
        "WHERE id = {} AND community_id = {} AND status = 'open' AND sold + {} <= stock_cap "
        "RETURNING sold",
        n,
        campaign_id,
        community,
        n,
    )
    return bool(taken)


def payees(campaign: dict[str, Any], pickup_host_id: int) -> dict[str, int]:
    """Who is paid each member's share of an order (platform and fund are the house's)."""
    return {
        "leader": campaign["leader_id"],
        "pickup_host": pickup_host_id,
        "supplier": campaign["supplier_id"],
    }


@command(Role.RESIDENT)
async def join_campaign(ctx: Ctx, data: JoinCampaign) -> Order:
    """Order ``quantity`` units for a pickup point; the payment is authorised, not taken.

    Refused after the deadline, beyond the stock left and beyond the per-person limit.
    """
    community, member = ctx.community.id, ctx.caller.member_id
    assert member is not None
    campaign = await campaign_row(community, data.campaign_id)
    if campaign["status"] != "open" or ctx.now >= campaign["deadline"]:
        raise Conflict(f"campaign {data.campaign_id} is closed to orders", reason="closed")
    point = next((p for p in campaign["pickup_points"] if p["name"] == data.pickup_point), None)
    if point is None:
        names = ", ".join(p["name"] for p in campaign["pickup_points"])
        raise InvalidInput(f"no pickup point {data.pickup_point!r}; choose one of: {names}")
    limit = campaign["per_person_limit"]
    if not await _take_allowance(community, campaign, member, data.quantity):
        raise Conflict(f"at most {limit} per person in this campaign", limit=limit)
    if not await _take_stock(community, data.campaign_id, data.quantity):
        await _give_back_allowance(community, data.campaign_id, member, data.quantity)
        fresh = await campaign_row(community, data.campaign_id)
        left = fresh["stock_cap"] - fresh["sold"]
        raise Conflict(f"only {left} left of campaign {data.campaign_id}", left=left)
    unit = Money(amount=campaign["unit_price"], currency=campaign["currency"])
    amount = pricing.order_amount(unit, data.quantity)
    row = OrderRow(
        community_id=community,
        campaign_id=data.campaign_id,
        member_id=member,
        quantity=data.quantity,
        pickup_point=point["name"],
        pickup_host_id=point["host_id"],
        currency=unit.currency,
        unit_price=unit.amount,
        amount=amount.amount,
        charge_id="",
        status="authorized",
        created_at=ctx.now,
    )
    await row.save()
    charge = await ctx.host.payments.charge(
        order_ref=f"order-{row.id}",
        amount=amount,
        payer_id=member,
        payees=payees(campaign, point["host_id"]),
        capture=False,
    )
    await OrderRow.update({OrderRow.charge_id: charge.id}).where(OrderRow.id == row.id)
    await ctx.host.events.publish(
        "order_placed",
        {"order_id": row.id, "campaign_id": data.campaign_id, "quantity": data.quantity},
    )
    return order_view(await order_row(community, row.id))


async def order_row(community_id: int, order_id: int) -> dict[str, Any]:
    """The order row, or :class:`NotFound`."""
    row = await (
        OrderRow.select()
        .where((OrderRow.id == order_id) & (OrderRow.community_id == community_id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no order {order_id} in this community")
    return row


@query(Role.MEMBER)
async def my_orders(ctx: Ctx, data: ListCampaigns) -> OrderList:
    """The caller's orders, newest first, with their pickup codes once confirmed."""
    rows = await (
        OrderRow.select()
        .where(
            (OrderRow.community_id == ctx.community.id)
            & (OrderRow.member_id == ctx.caller.member_id)
        )
        .order_by(OrderRow.id, ascending=False)
        .limit(data.limit)
    )
    return OrderList(items=[order_view(r) for r in rows])


OPERATIONS = (open_campaign, list_campaigns, get_campaign, join_campaign, my_orders)
"""The campaign operations, in the order the manifest lists them."""
