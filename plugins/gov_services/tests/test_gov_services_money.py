"""Money properties of the station's subsidies, over generated days (Hypothesis, on the kit).

However many errands are completed or cancelled, and whether the operator sets the payer
before or after, each completed errand is charged to the government exactly once, for its
service's subsidy, and the station holds the whole of it (the platform's declared share is 0).
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linli_gov_services import plugin as gov_services
from linli_gov_services.models import Appointment, Service, SlotList
from linli_sdk import ChargeStatus, Community, Role
from linli_sdk.testing import PluginKit

NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
_communities = itertools.count(1)


async def day(subsidies: list[int], ends: list[str], payer_first: bool) -> None:
    community_id = next(_communities)
    kit = PluginKit(
        gov_services,
        community=Community(id=community_id, slug=f"g{community_id}", name="G"),
        now=NOW,
    )
    operator = kit.add_member("Office", Role.OPERATOR)
    clerk = kit.add_member("Clerk", Role.PROVIDER_STAFF)
    payer = kit.add_member("Street office", Role.OPERATOR)
    station = kit.add_member("Station", Role.PROVIDER_STAFF)
    settings_ = {"subsidy_payer_id": payer.id, "station_payee_id": station.id}
    if payer_first:
        await kit.enable(settings_)
    await kit.call("add-staff", {"member_id": clerk.id, "display_name": "Clerk"}, as_=operator)
    expected: dict[str, int] = {}
    for n, (subsidy, end) in enumerate(zip(subsidies, ends, strict=False)):
        service = await kit.call(
            "add-service",
            {
                "name": f"errand {n}",
                "kind": "document_copy",
                "subsidy": {"amount": subsidy, "currency": "CNY"},
            },
            as_=operator,
        )
        assert isinstance(service, Service)
        starts = NOW + timedelta(days=1, minutes=15 * n)
        slots = await kit.call(
            "add-slots", {"service_id": service.id, "starts": [starts.isoformat()]}, as_=operator
        )
        assert isinstance(slots, SlotList)
        resident = kit.add_member(f"R{n}", Role.RESIDENT, national_id=f"{n:018d}")
        booked = await kit.call("book-appointment", {"slot_id": slots.items[0].id}, as_=resident)
        assert isinstance(booked, Appointment)
        ref = {"appointment_id": booked.id}
        if end == "cancelled":
            await kit.call("cancel-appointment", ref, as_=resident)
            continue
        await kit.call("assign-appointment", {**ref, "staff_id": clerk.id}, as_=clerk)
        await kit.call("complete-appointment", ref, as_=clerk)
        if subsidy:
            expected[f"subsidy-appointment-{booked.id}"] = subsidy
    if not payer_first:
        await kit.enable(settings_)
        await kit.call("submit-subsidy-claims", as_=operator)
        await kit.call("submit-subsidy-claims", as_=operator)  # again: nothing twice

    charges = list(kit.host.payments.charges.values())
    assert {c.order_ref: c.amount.amount for c in charges} == expected
    assert len(charges) == len(expected)
    for charge in charges:
        assert charge.status is ChargeStatus.CAPTURED
        assert charge.parts["station"] == charge.amount
        assert charge.parts["platform"].is_zero


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    subsidies=st.lists(st.integers(0, 5000), min_size=1, max_size=5),
    ends=st.lists(st.sampled_from(["completed", "cancelled"]), min_size=5, max_size=5),
    payer_first=st.booleans(),
)
def test_each_completed_errand_is_subsidised_once(
    subsidy_db: None, subsidies: list[int], ends: list[str], payer_first: bool
) -> None:
    asyncio.run(day(subsidies, ends, payer_first))
