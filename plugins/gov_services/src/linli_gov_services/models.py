"""What the gov services module takes and answers: its settings, inputs and views.

No view carries an ID number except :class:`AppointmentIdentity`, answered only to the station
staff member assigned to the appointment.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from linli_sdk import Money
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Appointment",
    "AppointmentIdentity",
    "AppointmentList",
    "AppointmentRef",
    "Assignment",
    "GovServicesSettings",
    "NewService",
    "NewSlots",
    "Service",
    "ServiceKind",
    "ServiceList",
    "ServiceRef",
    "Slot",
    "SlotList",
    "SlotRef",
    "Staff",
    "StaffList",
    "StaffMember",
    "SubsidyClaim",
    "SubsidyClaimList",
]


class GovServicesSettings(BaseModel):
    """What an operator may set per community: who pays and who earns the subsidy."""

    subsidy_payer_id: int | None = Field(
        default=None,
        description="The government payer account (a member id) charged each subsidy.",
    )
    station_payee_id: int | None = Field(
        default=None, description="The member paid the station's share of each subsidy."
    )
    cancel_until_minutes: int = Field(
        default=60, ge=0, le=24 * 60, description="Residents may cancel until this long before."
    )


class ServiceKind(StrEnum):
    """The errands the community station handles (政务代办)."""

    SOCIAL_SECURITY_LOOKUP = "social_security_lookup"
    """Looking up social security records (社保查询)."""
    DOCUMENT_COPY = "document_copy"
    """Certified copies of documents (证件复印)."""
    CERTIFICATE_APPLICATION = "certificate_application"
    """Applying for a certificate (证明办理)."""


class NewService(BaseModel):
    """An errand to offer at the station."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    kind: ServiceKind
    minutes: int = Field(default=15, ge=5, le=240)
    subsidy: Money = Field(description="The government's subsidy per completed appointment.")


class Service(BaseModel):
    """An errand the station offers."""

    id: int
    name: str
    kind: ServiceKind
    minutes: int
    subsidy: Money


class ServiceList(BaseModel):
    """The station's errands."""

    items: list[Service]


class ServiceRef(BaseModel):
    """One service, by id."""

    service_id: int


class NewSlots(BaseModel):
    """Bookable times for one service, each with room for ``capacity`` residents."""

    model_config = ConfigDict(extra="forbid")

    service_id: int
    starts: list[datetime] = Field(min_length=1, max_length=200)
    capacity: int = Field(default=1, ge=1, le=100)


class Slot(BaseModel):
    """A bookable time and how many places are left."""

    id: int
    service_id: int
    starts_at: datetime
    capacity: int
    left: int


class SlotList(BaseModel):
    """Slots, soonest first."""

    items: list[Slot]


class SlotRef(BaseModel):
    """One slot, by id."""

    slot_id: int


class StaffMember(BaseModel):
    """A member to put on the station's roster, with the name residents will see."""

    member_id: int
    display_name: str = Field(min_length=1, max_length=100)


class Staff(BaseModel):
    """A member on the station's roster."""

    member_id: int
    display_name: str
    active: bool


class StaffList(BaseModel):
    """The station's roster."""

    items: list[Staff]


class AppointmentRef(BaseModel):
    """One appointment, by id."""

    appointment_id: int


class Assignment(BaseModel):
    """Who on the roster handles an appointment."""

    appointment_id: int
    staff_id: int


class Appointment(BaseModel):
    """An appointment, as the resident and the station see it: never with the ID number."""

    id: int
    service_id: int
    service_name: str
    slot_id: int
    starts_at: datetime
    status: str
    resident_name: str
    staff_id: int | None


class AppointmentList(BaseModel):
    """Appointments, soonest first."""

    items: list[Appointment]


class AppointmentIdentity(BaseModel):
    """The resident's ID number, for the staff member handling the appointment only."""

    appointment_id: int
    resident_name: str
    national_id: str


class SubsidyClaim(BaseModel):
    """The subsidy a completed appointment earns the station."""

    appointment_id: int
    amount: Money
    status: str
    charge_id: str | None


class SubsidyClaimList(BaseModel):
    """Subsidy claims, oldest first."""

    items: list[SubsidyClaim]
