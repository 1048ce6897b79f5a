"""What the elder meals module takes and answers: its settings, inputs and views."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal

from linli_sdk import Money, MoneyBounds
from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "MAX_DAYS_AHEAD",
    "PRICE_BOUNDS",
    "SUBSIDY_BOUNDS",
    "BuildingCount",
    "DayRef",
    "DeliveryCode",
    "DeliveryList",
    "DeliveryStop",
    "DishCount",
    "Elder",
    "ElderList",
    "ElderMealsSettings",
    "ElderRef",
    "Eligibility",
    "FamilyLink",
    "Id",
    "KitchenList",
    "Menu",
    "MenuCount",
    "MenuList",
    "MenuRef",
    "NewElder",
    "NewMenu",
    "NewOrder",
    "Order",
    "OrderList",
    "OrderRef",
    "SubsidyLine",
    "SubsidyStatement",
]

Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
"""A member, menu or order id (what the tables' integer columns hold)."""

PRICE_BOUNDS = MoneyBounds(
    min=Money(amount=1, currency="CNY"), max=Money(amount=100_000, currency="CNY")
)
"""A meal's price between 1 fen and ¥1,000."""

MAX_DAYS_AHEAD = 60
"""How far ahead a kitchen may publish a menu."""

SUBSIDY_BOUNDS = MoneyBounds(min=Money.zero("CNY"), max=Money(amount=3000, currency="CNY"))
"""A subsidy per meal between ¥0 and ¥30."""


class ElderMealsSettings(BaseModel):
    """What an operator may set per community: the subsidy, who pays it, who qualifies."""

    subsidy_payer_id: Id | None = Field(
        default=None,
        description="The government payer account (a member id) charged each meal's subsidy.",
    )
    subsidy_per_meal: Annotated[Money, SUBSIDY_BOUNDS] = Field(
        default=Money(amount=500, currency="CNY"),
        description="The government's subsidy per meal of an eligible elder (¥0-30).",
    )
    min_age: int = Field(
        default=60, ge=50, le=80, description="The age (by calendar year) that qualifies."
    )


class NewMenu(BaseModel):
    """A meal the kitchen offers on one day.

    Times are on the community's wall clock: orders close at ``cutoff`` on the day itself, or
    ``cutoff_days_before`` days earlier; meals reach the door between ``deliver_from`` and
    ``deliver_until``.
    """

    model_config = ConfigDict(extra="forbid")

    day: date
    name: str = Field(min_length=1, max_length=80)
    dishes: list[str] = Field(min_length=1, max_length=12)
    price: Annotated[Money, PRICE_BOUNDS] = Field(description="The price of one meal, in fen.")
    capacity: int = Field(ge=1, le=2000)
    cutoff: time = time(9, 30)
    cutoff_days_before: int = Field(default=0, ge=0, le=3)
    deliver_from: time = time(11, 0)
    deliver_until: time = time(12, 30)

    @field_validator("dishes")
    @classmethod
    def _dishes(cls, value: list[str]) -> list[str]:
        dishes = [dish.strip() for dish in value]
        if any(not dish or len(dish) > 60 or "\n" in dish for dish in dishes):
            raise ValueError("each dish is one line of 1-60 characters")
        return dishes


class Menu(BaseModel):
    """A day's meal as residents see it, with the places left."""

    id: int
    day: date
    name: str
    dishes: list[str]
    price: Money
    capacity: int
    left: int
    cutoff_at: datetime
    deliver_from: datetime
    deliver_until: datetime
    status: str
    kitchen_id: int


class MenuList(BaseModel):
    """Menus, by day."""

    items: list[Menu]


class MenuRef(BaseModel):
    """One menu, by id."""

    menu_id: Id


class DayRef(BaseModel):
    """One day (the community's calendar)."""

    day: date


class NewElder(BaseModel):
    """A registration for elderly meals, with the elder's consent.

    An elder registers themselves (``member_id`` left out); an operator may register an elder
    who consented in person at the station. Only the birth year is kept.
    """

    model_config = ConfigDict(extra="forbid")

    member_id: Id | None = None
    birth_year: int = Field(ge=1900, le=2100)
    consent: Literal[True] = Field(
        description="The elder agrees that the module keeps their birth year and gives their "
        "unit to the kitchen's delivery worker."
    )


class Elder(BaseModel):
    """A registered elder: whether their meals are subsidised, and who may order for them."""

    member_id: int
    birth_year: int
    eligible: bool
    eligible_flag: bool | None
    family: list[int]
    consent_at: datetime


class ElderList(BaseModel):
    """Registered elders."""

    items: list[Elder]


class ElderRef(BaseModel):
    """One registered elder (the caller when left out)."""

    member_id: Id | None = None


class FamilyLink(BaseModel):
    """A family member the elder allows to order meals for them (the elder: the caller)."""

    model_config = ConfigDict(extra="forbid")

    family_member_id: Id
    elder_id: Id | None = Field(
        default=None, description="Operators only: the elder, who consented in person."
    )


class Eligibility(BaseModel):
    """The operator's decision on an elder's subsidy; ``None`` leaves it to the age rule."""

    model_config = ConfigDict(extra="forbid")

    member_id: Id
    eligible: bool | None


class NewOrder(BaseModel):
    """A meal for the caller, or (``for_member_id``) for an elder who named the caller family."""

    model_config = ConfigDict(extra="forbid")

    menu_id: Id
    for_member_id: Id | None = None


class Order(BaseModel):
    """An order as its orderer and diner see it (the code only for them)."""

    id: int
    menu_id: int
    day: date
    diner_id: int
    ordered_by: int
    unit: str
    price: Money
    subsidy: Money
    to_pay: Money
    status: str
    subsidy_status: str
    delivery_code: str | None
    hold_id: str | None
    charge_id: str | None
    subsidy_charge_id: str | None
    job_id: str | None


class OrderList(BaseModel):
    """Orders, newest day first."""

    items: list[Order]


class OrderRef(BaseModel):
    """One order, by id."""

    order_id: Id


class DeliveryCode(BaseModel):
    """The code the diner gives the worker at the door."""

    model_config = ConfigDict(extra="forbid")

    order_id: Id
    code: str = Field(min_length=1, max_length=12)


class DeliveryStop(BaseModel):
    """One door of a delivery round: no name, only the unit and the meal."""

    order_id: int
    building: str
    unit: str
    menu_name: str
    status: str
    job_id: str | None


class DeliveryList(BaseModel):
    """A day's doors, by building and unit."""

    day: date
    items: list[DeliveryStop]


class MenuCount(BaseModel):
    """How many of one menu to cook."""

    menu_id: int
    name: str
    count: int


class DishCount(BaseModel):
    """How many portions of one dish to cook."""

    dish: str
    count: int


class BuildingCount(BaseModel):
    """How many meals go to one building (a delivery round), by menu."""

    building: str
    count: int
    menus: dict[str, int]


class KitchenList(BaseModel):
    """A day's kitchen list: meals by menu, portions by dish, and meals by building."""

    day: date
    meals: int
    menus: list[MenuCount]
    dishes: list[DishCount]
    buildings: list[BuildingCount]


class SubsidyLine(BaseModel):
    """The subsidy of one delivered meal."""

    order_id: int
    day: date
    amount: Money
    status: str
    charge_id: str | None


class SubsidyStatement(BaseModel):
    """The government payer's statement: each subsidised meal delivered, and the totals."""

    items: list[SubsidyLine]
    charged: Money
    recorded: Money
