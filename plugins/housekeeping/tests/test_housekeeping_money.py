"""Money properties of housekeeping, over many generated bookings (Hypothesis, on the kit).

Whatever a booking's payment, units, voucher and end (completed, cancelled at any time, the
resident absent, nobody came), the resident pays exactly what the rules say, every charge's
parts add up to what it kept, and no charge is taken twice.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linli_housekeeping import plugin as housekeeping
from linli_housekeeping import rules
from linli_housekeeping.models import Booking, Service
from linli_sdk import ChargeStatus, Community, CreditStanding, Money, Role
from linli_sdk.testing import PluginKit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SLOT = NOW + timedelta(days=3)
_communities = itertools.count(1)


async def scenario(
    units: int, after_service: bool, voucher_first: bool, end: str, cancel_hours: int
) -> None:
    community_id = next(_communities)
    kit = PluginKit(
        housekeeping,
        community=Community(id=community_id, slug=f"c{community_id}", name="C"),
        now=NOW,
    )
    provider = kit.add_member("Tidy Home", Role.PROVIDER_STAFF)
    worker = kit.add_member("Sun", Role.PROVIDER_STAFF)
    resident = kit.add_member("Chen", Role.RESIDENT)
    kit.host.credit.standings[resident.id] = CreditStanding(
        score=800, tier="trusted", pay_after_service=True, deposits_waived=True, suspended=False
    )
    service = await kit.call(
        "add-service",
        {
            "name": "Cleaning",
            "kind": "hourly_cleaning",
            "unit": "hour",
            "price": {"amount": 4567, "currency": "CNY"},
            "min_units": 1,
            "max_units": 6,
        },
        as_=provider,
    )
    assert isinstance(service, Service)
    slot = SLOT
    if voucher_first:  # a first booking nobody came for leaves a voucher
        await kit.call(
            "book", {"service_id": service.id, "starts_at": SLOT.isoformat()}, as_=resident
        )
        await kit.advance(SLOT - NOW + timedelta(hours=1))
        slot = SLOT + timedelta(days=2)
    booking = await kit.call(
        "book",
        {
            "service_id": service.id,
            "starts_at": slot.isoformat(),
            "units": units,
            "payment": "after_service" if after_service else "authorized",
        },
        as_=resident,
    )
    assert isinstance(booking, Booking)
    price = Money(amount=4567 * units, currency="CNY")
    paid = price - booking.discount
    expected_discount = min(Money(amount=2000, currency="CNY"), price) if voucher_first else None
    assert booking.discount == (expected_discount or Money.zero("CNY"))
    settings_ = housekeeping.manifest.settings()
    if end == "completed":
        await kit.advance(slot - kit.clock)
        code = {"booking_id": booking.id, "code": booking.start_code}
        await kit.call("start-service", code, as_=worker)
        code = {"booking_id": booking.id, "code": booking.completion_code}
        await kit.call("complete-service", code, as_=worker)
        kept = paid
    elif end == "cancelled":
        await kit.advance(slot - kit.clock - timedelta(hours=cancel_hours))
        await kit.call("cancel-booking", {"booking_id": booking.id}, as_=resident)
        kept = rules.cancellation_fee(
            paid,
            slot,
            kit.clock,
            free_hours=settings_.free_cancel_hours,  # type: ignore[attr-defined]
            fee_bp=settings_.late_cancel_fee_bp,  # type: ignore[attr-defined]
        )
    elif end == "resident_no_show":
        await kit.advance(slot - kit.clock + timedelta(minutes=5))
        await kit.call("report-no-show", {"booking_id": booking.id}, as_=worker)
        kept = rules.percent_of(paid, settings_.no_show_fee_bp)  # type: ignore[attr-defined]
    else:
        await kit.advance(slot - kit.clock + timedelta(hours=1))  # nobody came
        kept = Money.zero("CNY")
    await kit.advance(timedelta(days=1))  # every deadline (refunds, nobody-came) has run

    charges = list(kit.host.payments.charges.values())
    taken = sum(
        (c.amount - c.refunded).amount for c in charges if c.status is not ChargeStatus.VOIDED
    )
    assert taken == kept.amount  # the resident pays exactly what the rules say
    for charge in charges:
        assert charge.status is not ChargeStatus.AUTHORIZED  # nothing left hanging
        if charge.status is not ChargeStatus.VOIDED:
            held = sum(part.amount for part in charge.parts.values())
            assert held == (charge.amount - charge.refunded).amount
    assert len({c.order_ref for c in charges}) == len(charges)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    units=st.integers(1, 6),
    after_service=st.booleans(),
    voucher_first=st.booleans(),
    end=st.sampled_from(["completed", "cancelled", "resident_no_show", "provider_no_show"]),
    cancel_hours=st.integers(0, 70),
)
def test_the_resident_pays_exactly_what_the_rules_say(
    money_db: None,
    units: int,
    after_service: bool,
    voucher_first: bool,
    end: str,
    cancel_hours: int,
) -> None:
    asyncio.run(scenario(units, after_service, voucher_first, end, cancel_hours))
