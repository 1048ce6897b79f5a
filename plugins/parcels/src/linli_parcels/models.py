"""What the parcels module takes and answers: its settings, inputs and views.

A view of a parcel carries its unit (``building-room``), never a recipient's name or phone; the
pickup code appears only in the answers to the residents of that unit, each their own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from linli_sdk import Context, Money, MoneyBounds
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Courier",
    "CourierList",
    "CourierRef",
    "CourierStatement",
    "Ctx",
    "NewCourier",
    "NewParcel",
    "Parcel",
    "ParcelList",
    "ParcelRef",
    "ParcelsSettings",
    "PickupCode",
    "PointRef",
    "RowId",
    "StatementLine",
]


RowId = Annotated[int, Field(ge=1, le=2_147_483_647)]
"""A row's or member's id: a positive 32-bit integer, as the database keeps it."""


def _cny(most: int) -> MoneyBounds:
    return MoneyBounds(min=Money.zero("CNY"), max=Money(amount=most, currency="CNY"))


class ParcelsSettings(BaseModel):
    """What an operator may set per community: the free days, the storage fee, the commission."""

    free_days: int = Field(
        default=3, ge=0, le=30, description="Days a parcel waits free of charge (0-30)."
    )
    storage_fee_per_day: Annotated[Money, _cny(2000)] = Field(
        default=Money(amount=100, currency="CNY"),
        description="Charged to the collecting resident per started day after the free days "
        "(CNY 0-20).",
    )
    storage_fee_cap: Annotated[Money, _cny(10000)] = Field(
        default=Money(amount=500, currency="CNY"),
        description="The most storage fee one parcel costs (CNY 0-100).",
    )
    commission: Annotated[Money, _cny(500)] = Field(
        default=Money(amount=50, currency="CNY"),
        description="Charged to the courier per parcel registered, for the station (CNY 0-5).",
    )


Ctx = Context[ParcelsSettings]
"""The context of a parcels operation."""


class NewCourier(BaseModel):
    """A courier's back end to admit: its OAuth client and the account billed its commissions."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["顺丰速运 SF Express"])
    client_id: str = Field(
        min_length=1, max_length=64, description="The OAuth client its back end calls with."
    )
    payer_id: RowId = Field(description="The member account charged each parcel's commission.")


class Courier(BaseModel):
    """A courier admitted to register parcels here."""

    id: int
    name: str
    client_id: str
    payer_id: int
    active: bool


class CourierList(BaseModel):
    """The couriers admitted here."""

    items: list[Courier]


class CourierRef(BaseModel):
    """One courier, by id; a courier's back end leaves it out and reads its own."""

    courier_id: RowId | None = None


class NewParcel(BaseModel):
    """A parcel a courier leaves at a pickup point for a unit."""

    model_config = ConfigDict(extra="forbid")

    tracking_number: str = Field(pattern=r"^[A-Za-z0-9-]{4,40}$", examples=["SF1234567890"])
    point_id: RowId = Field(description="The pickup point (自提点) the parcel is left at.")
    unit: str = Field(
        pattern=r"^[^\s-]{1,15}-[^\s-]{1,15}$",
        description="The unit it is addressed to, as ``building-room``.",
        examples=["3-701"],
    )


class Parcel(BaseModel):
    """A parcel as the caller may see it.

    ``pickup_code`` is the caller's own code, shown only to a resident of the unit while the
    parcel waits. ``storage_fee`` is what collecting costs now (waiting) or what was charged
    (collected); ``commission`` is shown to the courier and the station's operators.
    """

    id: int
    courier: str
    tracking_number: str
    point_id: int
    point_name: str
    unit: str
    status: str
    registered_at: datetime
    free_until: datetime
    collected_at: datetime | None = None
    returned_at: datetime | None = None
    storage_fee: Money
    storage_charge_id: str | None = None
    commission: Money | None = None
    pickup_code: str | None = None


class ParcelList(BaseModel):
    """Parcels, oldest first."""

    items: list[Parcel]


class ParcelRef(BaseModel):
    """One parcel, by id."""

    model_config = ConfigDict(extra="forbid")

    parcel_id: RowId


class PointRef(BaseModel):
    """Which pickup point's parcels; every point the caller may see when left out."""

    point_id: RowId | None = None


class PickupCode(BaseModel):
    """The code a resident shows at the pickup point (``<member id>-<six digits>``)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40, examples=["17-482913"])


class StatementLine(BaseModel):
    """One parcel a courier registered and the commission it was charged for it."""

    parcel_id: int
    tracking_number: str
    point_id: int
    registered_at: datetime
    commission: Money
    charge_id: str | None


class CourierStatement(BaseModel):
    """What a courier was charged: one line per parcel, and the total, to the fen."""

    courier: Courier
    lines: list[StatementLine]
    total: Money
