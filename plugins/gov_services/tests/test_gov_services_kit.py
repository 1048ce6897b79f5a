"""Gov services driven by the SDK's test kit: slots, the real-name tier, the ID number, subsidy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from linli_gov_services import plugin as gov_services
from linli_gov_services.models import (
    Appointment,
    AppointmentIdentity,
    AppointmentList,
    Service,
    SlotList,
    SubsidyClaimList,
)
from linli_sdk import ChargeStatus, Conflict, Forbidden, InvalidInput, Money, NotFound, Role
from linli_sdk.testing import PluginKit

NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
"""The kit's clock starts on a Monday at 08:00 in China."""


@pytest.fixture
def kit(gov_db: None, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    """Gov services on the fresh database at :data:`NOW`, granted ``members.national_id``."""
    return linli_kit(gov_services, now=NOW, granted_scopes={"members.national_id"})


NATIONAL_ID = "11010519491231002X"
SLOT = NOW + timedelta(days=1, hours=1)


class People:
    def __init__(self, kit: PluginKit) -> None:
        self.operator = kit.add_member("Office", Role.OPERATOR)
        self.clerk = kit.add_member("Clerk Zhang", Role.PROVIDER_STAFF)
        self.other_clerk = kit.add_member("Clerk Li", Role.PROVIDER_STAFF)
        self.resident = kit.add_member("Chen", Role.RESIDENT, national_id=NATIONAL_ID)
        self.neighbour = kit.add_member("Liu", Role.RESIDENT, national_id="110105194912310021")
        self.unverified = kit.add_member("Zhao", Role.RESIDENT)
        self.leader = kit.add_member("Wang", Role.LEADER, Role.RESIDENT, national_id="1" * 18)
        self.government = kit.add_member("Street office", Role.OPERATOR)
        self.station = kit.add_member("Station account", Role.PROVIDER_STAFF)


@pytest.fixture
async def people(kit: PluginKit) -> People:
    people = People(kit)
    for clerk in (people.clerk, people.other_clerk):
        await kit.call(
            "add-staff",
            {"member_id": clerk.id, "display_name": clerk.display_name},
            as_=people.operator,
        )
    return people


async def station(kit: PluginKit, people: People, capacity: int = 2) -> tuple[Service, int]:
    service = await kit.call(
        "add-service",
        {
            "name": "Social security look-up",
            "kind": "social_security_lookup",
            "subsidy": {"amount": 500, "currency": "CNY"},
        },
        as_=people.operator,
    )
    assert isinstance(service, Service)
    slots = await kit.call(
        "add-slots",
        {"service_id": service.id, "starts": [SLOT.isoformat()], "capacity": capacity},
        as_=people.operator,
    )
    assert isinstance(slots, SlotList)
    return service, slots.items[0].id


async def appointment(kit: PluginKit, people: People, slot: int) -> Appointment:
    booked = await kit.call("book-appointment", {"slot_id": slot}, as_=people.resident)
    assert isinstance(booked, Appointment)
    return booked


def test_the_manifest_asks_for_the_national_id_scope_only() -> None:
    manifest = gov_services.manifest
    assert manifest.member_scopes == {"members.national_id"}
    assert manifest.revenue_share is not None
    assert manifest.revenue_share.remainder_party == "station"


async def test_slots_fill_up_and_need_the_real_name_tier(kit: PluginKit, people: People) -> None:
    service, slot = await station(kit, people, capacity=2)
    with pytest.raises(Forbidden, match="real-name"):
        await kit.call("book-appointment", {"slot_id": slot}, as_=people.unverified)
    booked = await appointment(kit, people, slot)
    assert booked.status == "booked" and booked.starts_at == SLOT
    with pytest.raises(Conflict, match="already"):
        await appointment(kit, people, slot)
    await kit.call("book-appointment", {"slot_id": slot}, as_=people.neighbour)
    with pytest.raises(Conflict, match="full"):
        await kit.call("book-appointment", {"slot_id": slot}, as_=people.leader)
    listed = await kit.call("list-slots", {"service_id": service.id}, as_=people.leader)
    assert isinstance(listed, SlotList) and listed.items == []
    cancelled = await kit.call(
        "cancel-appointment", {"appointment_id": booked.id}, as_=people.resident
    )
    assert isinstance(cancelled, Appointment) and cancelled.status == "cancelled"
    listed = await kit.call("list-slots", {"service_id": service.id}, as_=people.leader)
    assert [s.left for s in listed.items] == [1]  # type: ignore[attr-defined]
    again = await appointment(kit, people, slot)
    await kit.advance(SLOT - NOW - timedelta(minutes=30))
    with pytest.raises(Conflict, match="until 60 minutes"):
        await kit.call("cancel-appointment", {"appointment_id": again.id}, as_=people.resident)


async def test_only_the_assigned_staff_member_sees_the_id_number(
    kit: PluginKit, people: People
) -> None:
    _, slot = await station(kit, people)
    booked = await appointment(kit, people, slot)
    ask = {"appointment_id": booked.id}
    with pytest.raises(Forbidden):  # nobody is assigned yet
        await kit.call("appointment-identity", ask, as_=people.clerk)
    with pytest.raises(Forbidden, match="for themselves"):
        await kit.call(
            "assign-appointment",
            {"appointment_id": booked.id, "staff_id": people.clerk.id},
            as_=people.other_clerk,
        )
    with pytest.raises(InvalidInput, match="roster"):
        await kit.call(
            "assign-appointment",
            {"appointment_id": booked.id, "staff_id": people.station.id},
            as_=people.operator,
        )
    assigned = await kit.call(
        "assign-appointment",
        {"appointment_id": booked.id, "staff_id": people.clerk.id},
        as_=people.operator,
    )
    assert isinstance(assigned, Appointment) and assigned.staff_id == people.clerk.id
    seen = await kit.call("appointment-identity", ask, as_=people.clerk)
    assert isinstance(seen, AppointmentIdentity)
    assert seen.national_id == NATIONAL_ID and seen.resident_name == "Chen"
    (viewed,) = kit.host.members.national_id_views[-1:]
    assert viewed[0] == people.resident.id and f"appointment {booked.id}" in viewed[1]
    for other in (people.other_clerk, people.station):
        with pytest.raises(Forbidden):
            await kit.call("appointment-identity", ask, as_=other)
    for not_staff in (people.operator, people.resident, people.leader):
        with pytest.raises(Forbidden):
            await kit.call("appointment-identity", ask, as_=not_staff)
    for viewer in (people.operator, people.clerk):
        listed = await kit.call("station-appointments", as_=viewer)
        assert NATIONAL_ID not in listed.model_dump_json()
    with pytest.raises(Forbidden, match="station"):
        await kit.call("station-appointments", as_=people.station)  # not on the roster
    mine = await kit.call("my-appointments", as_=people.resident)
    assert isinstance(mine, AppointmentList) and NATIONAL_ID not in mine.model_dump_json()
    assert all(NATIONAL_ID not in str(e.payload) for e in kit.host.events.published)

    kit.revoke("members.national_id")
    with pytest.raises(Conflict, match="not granted"):
        await kit.call("appointment-identity", ask, as_=people.clerk)


async def test_a_completed_errand_charges_the_subsidy_to_the_government(
    kit: PluginKit, people: People
) -> None:
    _, slot = await station(kit, people)
    first = await appointment(kit, people, slot)
    await kit.call(
        "assign-appointment",
        {"appointment_id": first.id, "staff_id": people.clerk.id},
        as_=people.clerk,  # staff take appointments themselves
    )
    with pytest.raises(Forbidden):
        await kit.call("complete-appointment", {"appointment_id": first.id}, as_=people.other_clerk)
    done = await kit.call("complete-appointment", {"appointment_id": first.id}, as_=people.clerk)
    assert isinstance(done, Appointment) and done.status == "completed"
    claims = await kit.call("subsidy-claims", as_=people.operator)
    assert isinstance(claims, SubsidyClaimList)
    assert [(c.status, c.amount.amount) for c in claims.items] == [("recorded", 500)]
    assert not kit.host.payments.charges
    with pytest.raises(Conflict, match="settings"):
        await kit.call("submit-subsidy-claims", as_=people.operator)

    await kit.enable(
        {"subsidy_payer_id": people.government.id, "station_payee_id": people.station.id}
    )
    charged = await kit.call("submit-subsidy-claims", as_=people.operator)
    (claim,) = charged.items  # type: ignore[attr-defined]
    assert claim.status == "charged"
    charge = kit.host.payments.charges[claim.charge_id]
    assert charge.status is ChargeStatus.CAPTURED
    assert charge.parts == {
        "platform": Money.zero("CNY"),
        "station": Money(amount=500, currency="CNY"),
    }
    again = await kit.call("submit-subsidy-claims", as_=people.operator)
    assert again == charged and len(kit.host.payments.charges) == 1

    second = await kit.call("book-appointment", {"slot_id": slot}, as_=people.neighbour)
    assert isinstance(second, Appointment)
    await kit.call(
        "assign-appointment",
        {"appointment_id": second.id, "staff_id": people.other_clerk.id},
        as_=people.operator,
    )
    await kit.call("complete-appointment", {"appointment_id": second.id}, as_=people.other_clerk)
    claims = await kit.call("subsidy-claims", as_=people.operator)
    assert [c.status for c in claims.items] == ["charged", "charged"]  # type: ignore[attr-defined]
    with pytest.raises(Conflict):
        await kit.call(
            "appointment-identity", {"appointment_id": second.id}, as_=people.other_clerk
        )
    with pytest.raises(NotFound):
        await kit.call("cancel-appointment", {"appointment_id": second.id}, as_=people.resident)


async def test_the_demo_station_has_errands_and_slots(kit: PluginKit) -> None:
    resident = kit.add_member("Chen", Role.RESIDENT, national_id=NATIONAL_ID)
    await kit.seed_demo()
    services = await kit.call("list-services", as_=resident)
    assert len(services.items) == 3  # type: ignore[attr-defined]
    for service in services.items:  # type: ignore[attr-defined]
        slots = await kit.call("list-slots", {"service_id": service.id}, as_=resident)
        assert len(slots.items) == 9  # type: ignore[attr-defined]
