"""Parcels a member collected in their export; erasure forgets who collected and handed over."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from linli_parcels import plugin as parcels
from linli_parcels.models import Parcel, ParcelList
from linli_sdk import Caller, Role
from linli_sdk.testing import PluginKit

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
SF = Caller(member_id=None, roles=frozenset({Role.PROVIDER_STAFF}), client_id="sf-backend")


@pytest.fixture
def kit(parcels_db: None, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    return linli_kit(parcels, now=NOW, granted_scopes={"members.unit"})


async def test_the_export_lists_collected_parcels_and_erasure_forgets_the_collector(
    kit: PluginKit,
) -> None:
    operator = kit.add_member("Office", Role.OPERATOR)
    payer = kit.add_member("SF account", Role.PROVIDER_STAFF)
    host = kit.add_member("Host Li", Role.PICKUP_HOST, Role.RESIDENT, unit="1-101")
    point = kit.add_pickup_point("Lockers", host=host)
    chen = kit.add_member("Chen", Role.RESIDENT, unit="3-701")
    wife = kit.add_member("Chen Wang", Role.RESIDENT, unit="3-701")
    courier = {"name": "SF", "client_id": "sf-backend", "payer_id": payer.id}
    await kit.call("add-courier", courier, as_=operator)
    for tracking in ("SF101", "SF102"):
        data = {"tracking_number": tracking, "point_id": point.id, "unit": "3-701"}
        assert isinstance(await kit.call("register-parcel", data, as_=SF), Parcel)
    listed = await kit.call("my-parcels", as_=chen)
    assert isinstance(listed, ParcelList)
    first = next(p for p in listed.items if p.tracking_number == "SF101")
    await kit.call("verify-pickup", {"code": first.pickup_code}, as_=host)

    collected, handed = await kit.export_member(chen)
    assert [p["tracking_number"] for p in collected["records"]] == ["SF101"]
    assert handed["records"] == []
    assert "secret" not in collected["records"][0]
    as_host = (await kit.export_member(host))[1]["records"]
    assert [p["tracking_number"] for p in as_host] == ["SF101"]

    erased = await kit.erase_member(chen)
    assert erased.erased == 1 and "accounting" in erased.kept
    assert (await kit.export_member(chen))[0]["records"] == []
    unit = await kit.call("my-parcels", as_=wife)  # the unit's parcels stay for the household
    assert sorted(p.tracking_number for p in unit.items) == ["SF101", "SF102"]  # type: ignore[attr-defined]
    assert (await kit.erase_member(chen)).erased == 0
