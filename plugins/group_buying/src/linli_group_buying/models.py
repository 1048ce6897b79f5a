"""The module's models (what its operations take and answer) and the rows they are read from.

Shared by :mod:`.campaigns`, :mod:`.orders`, :mod:`.closing`, :mod:`.pickup` and
:mod:`.after_sale`; amounts are rows' integers in minor units turned into :class:`Money`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from linli_sdk import Context, Money, NotFound
from pydantic import AwareDatetime, BaseModel, Field, field_validator

from .pricing import Measure, Tier
from .settings import GroupBuyingSettings
from .tables import CampaignRow, OrderRow

__all__ = [
    "Campaign",
    "CampaignList",
    "CampaignRef",
    "Ctx",
    "JoinCampaign",
    "ListCampaigns",
    "ListOrders",
    "NewCampaign",
    "Order",
    "OrderList",
    "OrderStatus",
    "PickupPoint",
    "TierPrice",
    "campaign_row",
    "campaign_view",
    "order_row",
    "order_view",
    "tiers_of",
]

Ctx = Context[GroupBuyingSettings]
"""The context every group buying operation gets."""


class PickupPoint(BaseModel):
    """A pickup point (自提点) of a campaign, from the community's network, and its host."""

    id: int = Field(description="The pickup point's id in the community's network.")
    name: str
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
    pickup_point_ids: list[int] = Field(
        min_length=1,
        max_length=20,
        description="The community's pickup points (ids) residents may collect at.",
    )
    tiers: list[TierPrice] = Field(default_factory=list, max_length=10)
    leader_id: int | None = Field(default=None, description="The leader, if a supplier opens it.")
    supplier_id: int | None = Field(default=None, description="The supplier, if a leader opens it.")
    essential: bool = Field(
        default=False,
        description="Essential goods (rice, oil, medicine): goes on while an emergency is in "
        "force; other campaigns pause.",
    )

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
    essential: bool = False


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
    pickup_point_id: int = Field(description="One of the campaign's pickup points.")


class OrderStatus(StrEnum):
    """Where an order is in its life."""

    AUTHORIZED = "authorized"
    """Joined: the payment is authorised, the campaign still open."""
    CONFIRMED = "confirmed"
    """The campaign formed: captured, with a pickup code."""
    CANCELLED = "cancelled"
    """The campaign missed its minimum: the authorisation was voided."""
    PARTIALLY_COLLECTED = "partially_collected"
    """Some of its units were handed over."""
    COLLECTED = "collected"
    """Every unit was handed over."""
    UNCOLLECTED = "uncollected"
    """Units were left past the pickup days; the uncollected policy was applied."""


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
    status: OrderStatus
    pickup_code: str | None
    collected: int
    refunded: Money
    compensated: Money


class ListOrders(BaseModel):
    """Which of the caller's orders to list."""

    status: OrderStatus | None = None
    limit: int = Field(default=50, ge=1, le=200)


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
        pickup_points=[
            PickupPoint(id=p.get("id", 0), name=p["name"], host_id=p["host_id"])
            for p in row["pickup_points"]
        ],
        leader_id=row["leader_id"],
        supplier_id=row["supplier_id"],
        status=row["status"],
        final_unit_price=None if final is None else Money(amount=final, currency=currency),
        essential=bool(row.get("essential", False)),
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
        status=OrderStatus(row["status"]),
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
