"""The gov services module (政务代办): its manifest and hook implementations.

The entry point ``linli.plugins: gov_services`` names this module. Residents of the real-name
tier book the community station's errands in slots; the staff member handling an appointment
alone sees the resident's ID number; each completed errand earns the station the government's
subsidy, charged to the government payer and split by the declared rules.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from linli_sdk import (
    Host,
    Manifest,
    RevenueShareRules,
    hookimpl,
    percent,
    remainder,
)

from . import appointments, station, subsidy
from .models import GovServicesSettings, ServiceKind
from .personal_data import linli_member_data, linli_member_erased
from .tables import ServiceRow, SlotRow

__all__ = ["linli_member_data", "linli_member_erased", "manifest"]

_DEMO_SERVICES = (
    ("社保查询 Social security look-up", ServiceKind.SOCIAL_SECURITY_LOOKUP, 15, 500),
    ("证件复印 Certified document copies", ServiceKind.DOCUMENT_COPY, 10, 300),
    ("证明办理 Certificate application", ServiceKind.CERTIFICATE_APPLICATION, 30, 1500),
)


@hookimpl
async def linli_seed_demo(host: Host) -> None:
    """Offer the station's three errands in the demo, with slots on the next three mornings.

    The slots start at 09:00, 10:00 and 11:00 on the community's wall clock.
    """
    now = datetime.now(UTC)
    today = host.community.today(now)
    for name, kind, minutes, amount in _DEMO_SERVICES:
        service = ServiceRow(
            community_id=host.community.id,
            name=name,
            kind=kind,
            minutes=minutes,
            subsidy_amount=amount,
            currency="CNY",
            active=True,
            created_at=now,
        )
        await service.save()
        await SlotRow.insert(
            *(
                SlotRow(
                    community_id=host.community.id,
                    service_id=service.id,
                    starts_at=host.community.start_of(today + timedelta(days=day), time(9 + hour)),
                    capacity=3,
                    booked=0,
                )
                for day in (1, 2, 3)
                for hour in (0, 1, 2)
            )
        )


manifest = Manifest(
    name="gov_services",
    version="0.1.0",
    sdk=">=1.1,<2",
    title="Government services (政务代办)",
    description=(
        "Errands at the community station (social security look-ups, document copies,"
        " certificate applications) in bookable slots for real-name residents; the ID number"
        " shown only to the staff member handling the appointment; a government subsidy per"
        " completed errand credited to the station."
    ),
    settings=GovServicesSettings,
    operations=(
        station.add_service,
        station.list_services,
        station.add_slots,
        station.list_slots,
        station.add_staff,
        station.list_staff,
        appointments.book_appointment,
        appointments.my_appointments,
        appointments.cancel_appointment,
        appointments.station_appointments,
        appointments.assign_appointment,
        appointments.appointment_identity,
        appointments.complete_appointment,
        subsidy.submit_subsidy_claims,
        subsidy.subsidy_claims,
    ),
    revenue_share=RevenueShareRules(
        shares=(percent("platform", 0, min=0, max=500), remainder("station")),
    ),
    member_scopes=frozenset({"members.national_id"}),
    piccolo_app="linli_gov_services.piccolo_app",
)
