"""The demo station opens at nine on the community's wall clock, wherever the server runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from linli_gov_services import plugin as gov_services
from linli_sdk import Community, Role
from linli_sdk.testing import PluginKit


@pytest.mark.parametrize(("zone", "first_hour_utc"), [("Asia/Shanghai", 1), ("Asia/Tokyo", 0)])
async def test_demo_slots_start_at_nine_local_time(
    gov_db: None, linli_kit: Callable[..., PluginKit], zone: str, first_hour_utc: int
) -> None:
    community = Community(id=3, slug="c", name="C", timezone=zone)
    kit = linli_kit(gov_services, community=community, now=datetime(2026, 1, 2, 12, tzinfo=UTC))
    resident = kit.add_member("Chen", Role.RESIDENT)
    await kit.seed_demo()
    service = (await kit.call("list-services", as_=resident)).items[0]  # type: ignore[attr-defined]
    slots = await kit.call("list-slots", {"service_id": service.id}, as_=resident)
    starts = sorted(s.starts_at for s in slots.items)  # type: ignore[attr-defined]
    assert len(starts) == 9 and starts[0].hour == first_hour_utc  # the seed uses today's date
    assert {community.local(s).hour for s in starts} == {9, 10, 11}
