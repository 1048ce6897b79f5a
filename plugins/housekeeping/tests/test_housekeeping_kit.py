"""Housekeeping driven by the SDK's test kit: catalogue, booking, codes, payment, credit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from linli_housekeeping import plugin as housekeeping
from linli_housekeeping.models import Booking, Service, ServiceList, VoucherList
from linli_sdk import (
    CHARGE_CAPTURED,
    CHARGE_REFUNDED,
    ChargeStatus,
    Conflict,
    CreditStanding,
    Event,
    Forbidden,
    InvalidInput,
    MemberView,
    Money,
    NotFound,
    Role,
)
from linli_sdk.testing import PluginKit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
"""The kit's clock starts on a Monday at 08:00 UTC."""

SETTLED = (CHARGE_CAPTURED, CHARGE_REFUNDED)
"""Settlement events about the money itself, beside the module's own."""


@pytest.fixture
def kit(housekeeping_db: None, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    """Housekeeping in the kit's default community, on the fresh database, at :data:`NOW`."""
    return linli_kit(housekeeping, now=NOW)


def cny(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "CNY"}


SLOT = NOW + timedelta(days=3)  # Thursday 08:00, outside the free-cancellation window's end


class People:
    def __init__(self, kit: PluginKit) -> None:
        self.provider = kit.add_member("Tidy Home", Role.PROVIDER_STAFF)
        self.worker = kit.add_member("Cleaner Sun", Role.PROVIDER_STAFF)
        self.other_worker = kit.add_member("Cleaner Ma", Role.PROVIDER_STAFF)
        self.resident = kit.add_member("Chen", Role.RESIDENT)
        self.neighbour = kit.add_member("Liu", Role.RESIDENT)
        self.operator = kit.add_member("Office", Role.OPERATOR)


@pytest.fixture
def people(kit: PluginKit) -> People:
    return People(kit)


async def hourly(kit: PluginKit, people: People, price: int = 4500) -> Service:
    service = await kit.call(
        "add-service",
        {
            "name": "Cleaning by the hour",
            "kind": "hourly_cleaning",
            "unit": "hour",
            "price": cny(price),
            "min_units": 2,
            "max_units": 6,
        },
        as_=people.provider,
    )
    assert isinstance(service, Service)
    return service


async def book(kit: PluginKit, people: People, service: Service, **fields: Any) -> Booking:
    data = {"service_id": service.id, "starts_at": SLOT.isoformat(), "units": 2, **fields}
    booking = await kit.call("book", data, as_=people.resident)
    assert isinstance(booking, Booking)
    return booking


async def call(kit: PluginKit, op: str, data: dict[str, Any], who: MemberView) -> Booking:
    booking = await kit.call(op, data, as_=who)
    assert isinstance(booking, Booking)
    return booking


async def test_a_booking_is_a_purchase_fact_of_its_service(kit: PluginKit, people: People):
    service = await hourly(kit, people)
    booking = await book(kit, people, service, units=3)
    fact = kit.host.purchases.facts[(f"booking-{booking.id}", f"service-{service.id}")]
    assert (fact.member_id, fact.quantity, fact.amount) == (
        people.resident.id,
        3,
        Money(amount=13500, currency="CNY"),
    )
    assert (fact.item_name, fact.category) == ("Cleaning by the hour", "hourly_cleaning")


def test_the_manifest_declares_the_module() -> None:
    manifest = housekeeping.manifest
    assert manifest.supports("1.1.0") and not manifest.supports("1.0.0")
    assert {e.name for e in manifest.credit_events} == {
        "service_rated",
        "provider_no_show",
        "resident_no_show",
        "late_cancellation",
    }
    assert manifest.revenue_share is not None
    assert manifest.revenue_share.remainder_party == "provider"


async def test_admitted_providers_fill_the_catalogue(kit: PluginKit, people: People) -> None:
    service = await hourly(kit, people)
    assert service.provider_id == people.provider.id
    assert service.price == Money(amount=4500, currency="CNY")
    on_behalf = await kit.call(
        "add-service",
        {
            "name": "Move-out cleaning",
            "kind": "move_out_cleaning",
            "unit": "job",
            "price": cny(48000),
            "minutes_per_unit": 360,
            "provider_id": people.provider.id,
        },
        as_=people.operator,
    )
    assert isinstance(on_behalf, Service) and on_behalf.provider_id == people.provider.id
    with pytest.raises(InvalidInput, match="admitted"):
        await kit.call(
            "add-service",
            {"name": "x", "kind": "move_out_cleaning", "unit": "job", "price": cny(1)},
            as_=kit.add_member("Ops", Role.OPERATOR),
        )
    with pytest.raises(Forbidden, match="another provider"):
        await kit.call(
            "add-service",
            {
                "name": "x",
                "kind": "move_out_cleaning",
                "unit": "job",
                "price": cny(1),
                "provider_id": people.provider.id,
            },
            as_=people.worker,
        )
    with pytest.raises(Forbidden):
        await kit.call(
            "add-service",
            {"name": "x", "kind": "move_out_cleaning", "unit": "job", "price": cny(1)},
            as_=people.resident,
        )
    kit.host.credit.standings[people.worker.id] = CreditStanding(
        score=200,
        tier="restricted",
        pay_after_service=False,
        deposits_waived=False,
        suspended=True,
    )
    with pytest.raises(Forbidden, match="suspended"):
        await kit.call(
            "add-service",
            {"name": "x", "kind": "move_out_cleaning", "unit": "job", "price": cny(1)},
            as_=people.worker,
        )
    listed = await kit.call("list-services", as_=people.neighbour)
    assert isinstance(listed, ServiceList)
    assert [s.name for s in listed.items] == ["Cleaning by the hour", "Move-out cleaning"]


async def test_book_start_complete_rate(kit: PluginKit, people: People) -> None:
    service = await hourly(kit, people)
    booking = await book(kit, people, service, units=3)
    assert booking.price == Money(amount=13500, currency="CNY")
    assert booking.ends_at == SLOT + timedelta(hours=3)
    assert booking.start_code and booking.completion_code
    charge = kit.host.payments.charges[booking.charge_id or ""]
    assert charge.status is ChargeStatus.AUTHORIZED
    assert charge.amount == booking.price
    job, _ = kit.host.dispatch.jobs[f"booking-{booking.id}"]
    assert job.skills == {"hourly_cleaning"}
    assert (job.window_start, job.window_end) == (SLOT, SLOT + timedelta(hours=3))
    assert f"no-show:{booking.id}" in kit.host.deadlines.pending

    seen = await kit.call("open-bookings", as_=people.worker)
    assert [b.start_code for b in seen.items] == [None]  # type: ignore[attr-defined]
    await kit.advance(SLOT - NOW - timedelta(minutes=10))
    wrong = "000000" if booking.start_code != "000000" else "111111"
    with pytest.raises(Forbidden, match="start code"):
        await call(kit, "start-service", {"booking_id": booking.id, "code": wrong}, people.worker)
    started = await call(
        kit,
        "start-service",
        {"booking_id": booking.id, "code": booking.start_code},
        people.worker,
    )
    assert started.status == "in_progress"
    assert f"no-show:{booking.id}" not in kit.host.deadlines.pending
    code = {"booking_id": booking.id, "code": booking.completion_code}
    with pytest.raises(Forbidden, match="who started"):
        await call(kit, "complete-service", code, people.other_worker)
    with pytest.raises(Conflict):
        await call(
            kit,
            "start-service",
            {"booking_id": booking.id, "code": booking.start_code},
            people.other_worker,
        )
    await kit.advance(timedelta(hours=3))
    done = await call(kit, "complete-service", code, people.worker)
    assert done.status == "completed"
    captured = kit.host.payments.charges[booking.charge_id or ""]
    assert captured.status is ChargeStatus.CAPTURED
    assert captured.parts == {
        "platform": Money(amount=1350, currency="CNY"),
        "community_fund": Money(amount=135, currency="CNY"),
        "provider": Money(amount=12015, currency="CNY"),
    }
    with pytest.raises(NotFound):
        await call(kit, "rate-service", {"booking_id": booking.id, "stars": 5}, people.neighbour)
    rated = await call(kit, "rate-service", {"booking_id": booking.id, "stars": 5}, people.resident)
    assert rated.rating == 5
    assert list(kit.host.credit.events.values()) == [(people.provider.id, "service_rated", 10)]
    with pytest.raises(Conflict, match="already rated"):
        await call(kit, "rate-service", {"booking_id": booking.id, "stars": 1}, people.resident)
    types = [e.type for e in kit.host.events.published if e.type not in SETTLED]
    assert types == [
        "housekeeping.booking_requested",
        "housekeeping.service_started",
        "housekeeping.service_completed",
        "housekeeping.service_rated",
    ]


async def test_pay_after_service_only_when_credit_allows(kit: PluginKit, people: People) -> None:
    service = await hourly(kit, people)
    with pytest.raises(Forbidden, match="credit"):
        await book(kit, people, service, payment="after_service")
    kit.host.credit.standings[people.resident.id] = CreditStanding(
        score=750, tier="trusted", pay_after_service=True, deposits_waived=True, suspended=False
    )
    booking = await book(kit, people, service, payment="after_service")
    assert booking.charge_id is None and not kit.host.payments.charges
    await kit.advance(SLOT - NOW)
    start = {"booking_id": booking.id, "code": booking.start_code}
    await call(kit, "start-service", start, people.worker)
    done = await call(
        kit,
        "complete-service",
        {"booking_id": booking.id, "code": booking.completion_code},
        people.worker,
    )
    charge = kit.host.payments.charges[done.charge_id or ""]
    assert charge.status is ChargeStatus.CAPTURED and charge.amount.amount == 9000


async def test_cancelling_is_free_early_and_keeps_a_fee_late(
    kit: PluginKit, people: People
) -> None:
    service = await hourly(kit, people)
    early = await book(kit, people, service)
    cancelled = await call(kit, "cancel-booking", {"booking_id": early.id}, people.resident)
    assert cancelled.status == "cancelled" and cancelled.fee_kept.amount == 0
    assert kit.host.payments.charges[early.charge_id or ""].status is ChargeStatus.VOIDED
    assert f"no-show:{early.id}" not in kit.host.deadlines.pending

    late = await book(kit, people, service)
    with pytest.raises(NotFound):
        await call(kit, "cancel-booking", {"booking_id": late.id}, people.neighbour)
    await kit.advance(SLOT - NOW - timedelta(hours=5))  # inside the 24 hours
    kept = await call(kit, "cancel-booking", {"booking_id": late.id}, people.resident)
    assert kept.fee_kept == Money(amount=1800, currency="CNY")  # 20 % of 9000
    await kit.advance(timedelta(0))  # the refund runs once the capture is confirmed
    (refund,) = kit.host.payments.refunds.values()
    assert refund.amount == Money(amount=7200, currency="CNY")
    charge = kit.host.payments.charges[late.charge_id or ""]
    assert charge.refunded == Money(amount=7200, currency="CNY")
    assert sum(p.amount for p in charge.parts.values()) == 1800  # the fee, split by the rules
    assert charge.parts["provider"].amount > charge.parts["platform"].amount > 0
    assert (people.resident.id, "late_cancellation", -5) in kit.host.credit.events.values()
    with pytest.raises(Conflict):
        await call(kit, "cancel-booking", {"booking_id": late.id}, people.resident)


async def test_a_resident_no_show_keeps_the_no_show_fee(kit: PluginKit, people: People) -> None:
    service = await hourly(kit, people)
    booking = await book(kit, people, service)
    with pytest.raises(Conflict, match="not started"):
        await call(kit, "report-no-show", {"booking_id": booking.id}, people.worker)
    await kit.advance(SLOT - NOW + timedelta(minutes=15))
    reported = await call(kit, "report-no-show", {"booking_id": booking.id}, people.worker)
    assert reported.status == "resident_no_show"
    assert reported.fee_kept == Money(amount=4500, currency="CNY")
    await kit.advance(timedelta(minutes=30))  # the refund runs; nobody-came was cancelled
    (refund,) = kit.host.payments.refunds.values()
    assert refund.amount.amount == 4500
    assert list(kit.host.credit.events.values()) == [(people.resident.id, "resident_no_show", -20)]


async def test_a_provider_no_show_voids_and_compensates(kit: PluginKit, people: People) -> None:
    service = await hourly(kit, people)
    booking = await book(kit, people, service)
    fired = await kit.advance(SLOT - NOW + timedelta(minutes=30))
    assert [d.key for d in fired] == [f"no-show:{booking.id}"]
    (mine,) = (await kit.call("my-bookings", as_=people.resident)).items  # type: ignore[attr-defined]
    assert mine.status == "provider_no_show"
    assert kit.host.payments.charges[booking.charge_id or ""].status is ChargeStatus.VOIDED
    assert list(kit.host.credit.events.values()) == [(people.provider.id, "provider_no_show", -40)]
    vouchers = await kit.call("my-vouchers", as_=people.resident)
    assert isinstance(vouchers, VoucherList)
    assert [v.amount.amount for v in vouchers.items] == [2000]
    with pytest.raises(Conflict):
        await call(
            kit,
            "start-service",
            {"booking_id": booking.id, "code": booking.start_code},
            people.worker,
        )
    later = await kit.call(
        "book",
        {"service_id": service.id, "starts_at": (SLOT + timedelta(days=1)).isoformat(), "units": 2},
        as_=people.resident,
    )
    assert isinstance(later, Booking)
    assert later.discount.amount == 2000
    assert kit.host.payments.charges[later.charge_id or ""].amount.amount == 7000
    vouchers = await kit.call("my-vouchers", as_=people.resident)
    assert [v.used_booking_id for v in vouchers.items] == [later.id]  # type: ignore[attr-defined]


async def test_dispatch_news_moves_the_booking(kit: PluginKit, people: People) -> None:
    service = await hourly(kit, people)
    booking = await book(kit, people, service)

    def news(kind: str, module: str = "housekeeping") -> Event:
        return Event(
            id=str(uuid.uuid4()),
            type=f"dispatch.job_{kind}",
            community=kit.community.slug,
            module=None,
            occurred=kit.clock,
            payload={"job": 1, "ref": f"booking-{booking.id}", "module": module},
        )

    async def status() -> str:
        (mine,) = (await kit.call("my-bookings", as_=people.resident)).items  # type: ignore[attr-defined]
        return str(mine.status)

    await housekeeping.linli_event(kit.host, news("offered"))
    assert await status() == "dispatched"
    await housekeeping.linli_event(kit.host, news("accepted", module="elsewhere"))
    assert await status() == "dispatched"
    await housekeeping.linli_event(kit.host, news("accepted"))
    await housekeeping.linli_event(kit.host, news("offered"))  # late news never goes back
    assert await status() == "accepted"


@pytest.mark.parametrize(
    ("starts_at", "units", "message"),
    [
        (NOW + timedelta(hours=1), 2, "hours ahead"),
        (NOW + timedelta(days=40), 2, "days ahead"),
        (NOW + timedelta(days=1, minutes=10), 2, "half hour"),
        (NOW + timedelta(days=1), 7, "2-6"),
    ],
)
async def test_slots_follow_the_booking_rules(
    kit: PluginKit, people: People, starts_at: Any, units: int, message: str
) -> None:
    service = await hourly(kit, people)
    with pytest.raises(InvalidInput, match=message):
        await kit.call(
            "book",
            {"service_id": service.id, "starts_at": starts_at.isoformat(), "units": units},
            as_=people.resident,
        )


async def test_the_demo_gets_a_catalogue(kit: PluginKit) -> None:
    kit.add_member("Chen", Role.RESIDENT)
    cleaner = kit.add_member("Cleaner Sun", Role.PROVIDER_STAFF)
    await kit.seed_demo()
    listed = await kit.call("list-services", as_=cleaner)
    assert isinstance(listed, ServiceList)
    assert {s.kind for s in listed.items} == {
        "hourly_cleaning",
        "appliance_cleaning",
        "move_out_cleaning",
    }
    assert {s.provider_id for s in listed.items} == {cleaner.id}


async def serve(kit: PluginKit, booking: Booking, worker: MemberView, hours: timedelta) -> None:
    """The worker starts the booking at its slot and completes it ``hours`` later."""
    await kit.advance(booking.starts_at - kit.clock)
    start = {"booking_id": booking.id, "code": booking.start_code}
    await call(kit, "start-service", start, worker)
    await kit.advance(hours)
    done = {"booking_id": booking.id, "code": booking.completion_code}
    assert (await call(kit, "complete-service", done, worker)).status == "completed"


async def test_completing_the_service_completes_the_accepted_dispatch_job(
    kit: PluginKit, people: People
) -> None:
    service = await hourly(kit, people)
    on_time = await book(kit, people, service)
    late = await book(kit, people, service, starts_at=(SLOT + timedelta(days=1)).isoformat())
    for one in (on_time, late):
        ticket = await kit.accept_job(f"booking-{one.id}", people.worker)
        assert ticket.id == one.job_id

    await serve(kit, on_time, people.worker, timedelta(hours=1, minutes=50))
    done = await kit.host.dispatch.get(on_time.job_id or "")
    assert (done.status, done.on_time, done.completed_at) == ("completed", True, kit.clock)
    assert done.worker_member_id == people.worker.id
    await serve(kit, late, people.worker, timedelta(hours=2, minutes=10))  # past the slot's end
    assert (await kit.host.dispatch.get(late.job_id or "")).on_time is False


async def test_a_service_whose_job_nobody_accepted_completes_and_leaves_the_job_alone(
    kit: PluginKit, people: People
) -> None:
    booking = await book(kit, people, await hourly(kit, people))
    await serve(kit, booking, people.worker, timedelta(hours=2))
    assert (await kit.host.dispatch.get(booking.job_id or "")).status == "pending"
