"""A member's appointments in their export; erasure takes their name off them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from linli_gov_services import plugin as gov_services
from linli_gov_services.models import AppointmentList, Service, SlotList
from linli_sdk import Role
from linli_sdk.testing import PluginKit

NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
SLOT = NOW + timedelta(days=1, hours=1)
SUBSIDY = {"amount": 500, "currency": "CNY"}


@pytest.fixture
def kit(gov_db: None, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    return linli_kit(gov_services, now=NOW, granted_scopes={"members.national_id"})


async def test_the_export_lists_appointments_and_erasure_removes_the_name(kit: PluginKit) -> None:
    operator = kit.add_member("Office", Role.OPERATOR)
    clerk = kit.add_member("Clerk Zhang", Role.PROVIDER_STAFF)
    chen = kit.add_member("Chen", Role.RESIDENT, national_id="11010519491231002X")
    liu = kit.add_member("Liu", Role.RESIDENT, national_id="110105194912310021")
    await kit.call("add-staff", {"member_id": clerk.id, "display_name": "Zhang"}, as_=operator)
    service = await kit.call(
        "add-service",
        {
            "name": "Look-up",
            "kind": "social_security_lookup",
            "subsidy": {"amount": 500, "currency": "CNY"},
        },
        as_=operator,
    )
    assert isinstance(service, Service)
    slots = await kit.call(
        "add-slots",
        {
            "service_id": service.id,
            "starts": [(NOW + timedelta(days=1, hours=1)).isoformat()],
            "capacity": 2,
        },
        as_=operator,
    )
    assert isinstance(slots, SlotList)
    for who in (chen, liu):
        await kit.call("book-appointment", {"slot_id": slots.items[0].id}, as_=who)

    appointments, staff = await kit.export_member(chen)
    assert [a["resident_name"] for a in appointments["records"]] == ["Chen"]
    assert staff["records"] == []
    assert [s["display_name"] for s in (await kit.export_member(clerk))[1]["records"]] == ["Zhang"]

    erased = await kit.erase_member(chen)
    assert erased.erased == 1 and "subsidy" in erased.kept
    await kit.erase_member(clerk)

    listed = await kit.call("station-appointments", as_=operator)
    assert isinstance(listed, AppointmentList)
    names = sorted(a.resident_name for a in listed.items)
    assert names == ["Liu", f"erased member {chen.id}"]  # nothing of Chen's left to read
    assert "Zhang" not in str(await kit.export_member(clerk))
    assert (await kit.erase_member(chen)).erased == 0
