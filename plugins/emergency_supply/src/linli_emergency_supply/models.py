"""What the emergency supply operations take and return, and the module's settings.

No model a command returns carries a household's vulnerability: a command's answer is kept
by the platform to replay it for a repeated ``Idempotency-Key``. Only two queries show it —
the household's own (:class:`MyHousehold`) and the operator's or dispatcher's list
(:class:`HouseholdList`).
"""

from __future__ import annotations

from datetime import datetime

from linli_sdk import Context, Money
from pydantic import BaseModel, Field, field_validator

from .rules import BuildingTally, Vulnerability

__all__ = [
    "AccountRequest",
    "CareNeeds",
    "ConsentRecorded",
    "Ctx",
    "DeliveryConfirmation",
    "DeliveryList",
    "DeliveryView",
    "Dispatched",
    "DispatcherAppointment",
    "HouseholdList",
    "HouseholdOut",
    "MyHousehold",
    "NewHousehold",
    "NewPack",
    "OrderList",
    "PackList",
    "PackOrder",
    "PackView",
    "PublicAccount",
    "SupplyOrder",
    "SupplySettings",
]


class SupplySettings(BaseModel):
    """The module's settings in one community."""

    delivery_window_hours: int = Field(
        default=4,
        ge=1,
        le=48,
        description="How long a volunteer has to deliver a dispatched order.",
    )
    volunteer_skill: str = Field(
        default="emergency_delivery",
        pattern=r"^[a-z][a-z0-9_]{1,39}$",
        description="The dispatch skill volunteers are registered with.",
    )


Ctx = Context[SupplySettings]


class NewPack(BaseModel):
    """A ration pack to add to the emergency's catalogue (operators)."""

    name: str = Field(min_length=1, max_length=120)
    contents: str = Field(min_length=1, max_length=2000)
    price: Money = Field(description="Zero for a pack paid by the government or a donor.")
    quota: int = Field(ge=1, le=100, description="At most so many per household.")
    supplier_id: int | None = Field(default=None, description="Paid the price (provider staff).")

    @field_validator("price")
    @classmethod
    def _not_negative(cls, value: Money) -> Money:
        if not 0 <= value.amount <= 10_000_000:
            raise ValueError("a pack's price is zero or more, at most 100,000.00")
        return value


class PackView(BaseModel):
    """A ration pack of the emergency in force."""

    id: int
    emergency_id: str
    name: str
    contents: str
    price: Money
    quota: int
    left_for_my_household: int | None = None


class PackList(BaseModel):
    """The catalogue of the emergency in force (empty when none is)."""

    emergency_id: str | None
    items: list[PackView]


class NewHousehold(BaseModel):
    """The household (unit) a resident registers for emergency supplies."""

    building: str = Field(min_length=1, max_length=40, examples=["3"])
    room: str = Field(min_length=1, max_length=40, examples=["1202"])


class HouseholdOut(BaseModel):
    """A registered household, as its resident sees it after registering."""

    id: int
    building: str
    room: str
    delivery_code: str = Field(description="Give it to the volunteer at the door.")


class MyHousehold(HouseholdOut):
    """The caller's own household, with what it consented to."""

    vulnerability: Vulnerability | None
    consented_at: datetime | None


class CareNeeds(BaseModel):
    """Mark the caller's household vulnerable (with the separate consent) or clear the mark."""

    vulnerability: Vulnerability | None = Field(description="``null`` clears the mark.")
    consent: bool = Field(
        default=False, description="True to mark: the separate consent (单独同意) to the text."
    )
    consent_text: str = Field(
        default="", description="The consent text shown to the resident, word for word."
    )


class ConsentRecorded(BaseModel):
    """The household's choice was recorded (what it was is not repeated here)."""

    household_id: int
    recorded_at: datetime


class PackOrder(BaseModel):
    """Ration packs the caller's household orders."""

    pack_id: int
    quantity: int = Field(default=1, ge=1, le=100)


class SupplyOrder(BaseModel):
    """A household's order of ration packs."""

    id: int
    pack_id: int
    pack: str
    quantity: int
    amount: Money
    charge_id: str | None
    status: str
    created_at: datetime
    delivered_at: datetime | None


class OrderList(BaseModel):
    """The caller's household's orders, newest first."""

    items: list[SupplyOrder]


class DispatcherAppointment(BaseModel):
    """Appoint a member to dispatch the emergency's deliveries (调度员)."""

    member_id: int


class Dispatched(BaseModel):
    """The orders just given to volunteers, in the order they were dispatched."""

    order_ids: list[int]


class DeliveryView(BaseModel):
    """A delivery as volunteers see it: where, what, and its state; nothing sensitive."""

    order_id: int
    position: int
    building: str
    room: str
    pack: str
    quantity: int
    status: str


class DeliveryList(BaseModel):
    """Deliveries in dispatch order."""

    items: list[DeliveryView]


class HouseholdList(BaseModel):
    """The households, with their vulnerability (the operator and the dispatcher only)."""

    items: list[MyHousehold]


class DeliveryConfirmation(BaseModel):
    """A volunteer confirms a delivery with the code the household gives at the door."""

    order_id: int
    code: str = Field(min_length=4, max_length=8)


class AccountRequest(BaseModel):
    """Which emergency's public account (the one in force, or the latest, when omitted)."""

    emergency_id: str | None = None


class PublicAccount(BaseModel):
    """What was delivered, per building: counts only, no household and no person (公示)."""

    emergency_id: str | None
    buildings: list[BuildingTally]
    households_served: int
    orders_delivered: int
    packs_delivered: dict[str, int]
    orders_waiting: int
