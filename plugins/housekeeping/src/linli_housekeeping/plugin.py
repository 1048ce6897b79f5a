"""The housekeeping module (家政): its manifest and hook implementations.

The entry point ``linli.plugins: housekeeping`` names this module. Residents book services
from the community's catalogue for a time slot; dispatch finds a worker; the worker starts and
completes with codes the resident gives; the resident rates the service.
"""

from __future__ import annotations

from datetime import UTC, datetime

from linli_sdk import (
    CreditEventSpec,
    Event,
    Host,
    Manifest,
    RevenueShareRules,
    Role,
    hookimpl,
    percent,
    remainder,
)

from . import bookings, catalogue, endings, lifecycle
from .models import HousekeepingSettings, ServiceKind, Unit
from .personal_data import linli_member_data, linli_member_erased
from .tables import ServiceRow

__all__ = ["linli_member_data", "linli_member_erased", "manifest"]


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    """Follow dispatch's news about the module's jobs (offered, accepted, pending)."""
    await lifecycle.dispatch_changed(host, event)


_DEMO_CATALOGUE = (
    ("日常保洁 Cleaning by the hour", ServiceKind.HOURLY_CLEANING, Unit.HOUR, 4500, 60, 2, 6),
    (
        "空调清洗 Air conditioner cleaning",
        ServiceKind.APPLIANCE_CLEANING,
        Unit.JOB,
        12000,
        90,
        1,
        1,
    ),
    ("油烟机清洗 Range hood cleaning", ServiceKind.APPLIANCE_CLEANING, Unit.JOB, 15000, 120, 1, 1),
    ("搬家保洁 Move-out cleaning", ServiceKind.MOVE_OUT_CLEANING, Unit.JOB, 48000, 360, 1, 1),
)


@hookimpl
async def linli_seed_demo(host: Host) -> None:
    """Put a small catalogue by the demo's cleaning provider into the demo community."""
    staff = await host.members.with_role(Role.PROVIDER_STAFF)
    if not staff:
        return
    provider_id = staff[0]
    now = datetime.now(UTC)
    await ServiceRow.insert(
        *(
            ServiceRow(
                community_id=host.community.id,
                provider_id=provider_id,
                name=name,
                kind=kind,
                unit=unit,
                price_amount=price,
                currency="CNY",
                minutes_per_unit=minutes,
                min_units=low,
                max_units=high,
                active=True,
                created_at=now,
            )
            for name, kind, unit, price, minutes, low, high in _DEMO_CATALOGUE
        )
    )


manifest = Manifest(
    name="housekeeping",
    version="0.1.0",
    sdk=">=1.1,<2",
    title="Housekeeping (家政)",
    description=(
        "A catalogue of home services by admitted providers, booked for a time slot, dispatched"
        " to a worker, started and completed with the resident's codes, and rated."
    ),
    settings=HousekeepingSettings,
    operations=(
        catalogue.add_service,
        catalogue.list_services,
        bookings.book,
        bookings.my_bookings,
        bookings.open_bookings,
        bookings.start_service,
        bookings.complete_service,
        bookings.rate_service,
        endings.cancel_booking,
        endings.report_no_show,
        endings.my_vouchers,
    ),
    credit_events=(
        CreditEventSpec(
            name="service_rated",
            min_weight=-20,
            max_weight=10,
            description="A resident rated the provider's service (1 star -20 … 5 stars +10).",
        ),
        CreditEventSpec(
            name="provider_no_show",
            min_weight=-60,
            max_weight=-20,
            description="Nobody came for a booked service.",
        ),
        CreditEventSpec(
            name="resident_no_show",
            min_weight=-30,
            max_weight=-10,
            description="The worker came and the resident was not there.",
        ),
        CreditEventSpec(
            name="late_cancellation",
            min_weight=-10,
            max_weight=0,
            description="The resident cancelled after the free cancellation window.",
        ),
    ),
    revenue_share=RevenueShareRules(
        shares=(
            percent("platform", 1000, min=500, max=1500),
            percent("community_fund", 100, min=0, max=200),
            remainder("provider"),
        )
    ),
    piccolo_app="linli_housekeeping.piccolo_app",
    deadline_handlers=lifecycle.DEADLINE_HANDLERS,
)
