"""What the housekeeping module takes and answers: its settings, inputs and views."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from linli_sdk import Money
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Booking",
    "BookingList",
    "BookingRef",
    "CodeEntry",
    "HousekeepingSettings",
    "NewBooking",
    "NewService",
    "Payment",
    "Rating",
    "Service",
    "ServiceKind",
    "ServiceList",
    "Unit",
    "Voucher",
    "VoucherList",
]


class HousekeepingSettings(BaseModel):
    """What an operator may set per community: the booking window and the cancellation policy."""

    free_cancel_hours: int = Field(
        default=24, ge=0, le=168, description="Cancelling is free until this many hours before."
    )
    late_cancel_fee_bp: int = Field(
        default=2000, ge=0, le=10_000, description="Fee kept on a late cancellation (bp)."
    )
    no_show_fee_bp: int = Field(
        default=5000, ge=0, le=10_000, description="Fee kept when the resident is not there (bp)."
    )
    no_show_grace_minutes: int = Field(
        default=30, ge=5, le=240, description="Minutes after the start before nobody-came counts."
    )
    provider_no_show_compensation: Money = Field(
        default=Money(amount=2000, currency="CNY"),
        description="Voucher a resident gets when nobody came, taken off a later booking.",
    )
    min_lead_hours: int = Field(default=2, ge=0, le=72, description="Book this far ahead at least.")
    horizon_days: int = Field(default=30, ge=1, le=180, description="Book at most this far ahead.")


class ServiceKind(StrEnum):
    """The kinds of housekeeping the catalogue offers (also the skill a worker needs)."""

    HOURLY_CLEANING = "hourly_cleaning"
    """Cleaning by the hour (钟点工)."""
    APPLIANCE_CLEANING = "appliance_cleaning"
    """Cleaning an air conditioner, range hood or washing machine (家电清洗)."""
    MOVE_OUT_CLEANING = "move_out_cleaning"
    """A deep clean before or after a move (开荒/搬家保洁)."""


class Unit(StrEnum):
    """How a service is priced and booked."""

    HOUR = "hour"
    """By the hour: the resident books a number of hours."""
    JOB = "job"
    """One visit at one price."""


class Payment(StrEnum):
    """How a booking is paid."""

    AUTHORIZED = "authorized"
    """Held on the resident's method at booking, taken on completion."""
    AFTER_SERVICE = "after_service"
    """Charged on completion; only for residents whose credit allows it (先享后付)."""


class NewService(BaseModel):
    """A service to add to the catalogue."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    kind: ServiceKind
    unit: Unit
    price: Money = Field(description="Per hour, or per visit.")
    minutes_per_unit: int = Field(default=60, ge=15, le=12 * 60)
    min_units: int = Field(default=1, ge=1, le=12)
    max_units: int = Field(default=1, ge=1, le=12)
    provider_id: int | None = Field(
        default=None, description="The provider's member (operators only); yourself by default."
    )


class Service(BaseModel):
    """A service in the catalogue."""

    id: int
    name: str
    kind: ServiceKind
    unit: Unit
    price: Money
    minutes_per_unit: int
    min_units: int
    max_units: int
    provider_id: int


class ServiceList(BaseModel):
    """The catalogue: active services."""

    items: list[Service]


class NewBooking(BaseModel):
    """A booking request: which service, when, how many units, and how to pay."""

    model_config = ConfigDict(extra="forbid")

    service_id: int
    starts_at: datetime
    units: int = Field(default=1, ge=1, le=12)
    payment: Payment = Payment.AUTHORIZED


class BookingRef(BaseModel):
    """One booking, by id."""

    booking_id: int


class CodeEntry(BaseModel):
    """A code the resident tells the worker at the door (start) or at the end (completion)."""

    booking_id: int
    code: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")


class Rating(BaseModel):
    """The resident's rating of a completed service."""

    booking_id: int
    stars: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=500)


class Booking(BaseModel):
    """A booking as its resident or a worker sees it.

    The codes are shown to the resident only; a worker asks the resident for them.
    """

    id: int
    service_id: int
    service_name: str
    status: str
    starts_at: datetime
    ends_at: datetime
    units: int
    price: Money
    discount: Money
    payment: Payment
    fee_kept: Money
    charge_id: str | None
    job_id: str | None = Field(description="The dispatch job a worker accepts.")
    start_code: str | None = None
    completion_code: str | None = None
    rating: int | None = None


class BookingList(BaseModel):
    """Bookings, soonest first."""

    items: list[Booking]


class Voucher(BaseModel):
    """Compensation owed to the resident, taken off the next booking."""

    id: int
    amount: Money
    reason: str
    used_booking_id: int | None


class VoucherList(BaseModel):
    """A resident's vouchers, newest first."""

    items: list[Voucher]
