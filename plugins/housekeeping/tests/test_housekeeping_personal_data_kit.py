"""A resident's bookings in their data export; erasure clears their words and codes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from linli_housekeeping import plugin as housekeeping
from linli_housekeeping.models import BookingList
from linli_sdk import Role
from linli_sdk.testing import PluginKit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def kit(housekeeping_db: None, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    return linli_kit(housekeeping, now=NOW)


async def test_the_export_lists_bookings_and_erasure_clears_what_is_personal(
    kit: PluginKit,
) -> None:
    provider = kit.add_member("Tidy Home", Role.PROVIDER_STAFF)
    chen = kit.add_member("Chen", Role.RESIDENT)
    liu = kit.add_member("Liu", Role.RESIDENT)
    service = await kit.call(
        "add-service",
        {
            "name": "Cleaning",
            "kind": "hourly_cleaning",
            "unit": "hour",
            "price": {"amount": 4500, "currency": "CNY"},
            "min_units": 2,
            "max_units": 6,
        },
        as_=provider,
    )
    slot = (NOW + timedelta(days=3)).isoformat()
    for who in (chen, liu):
        await kit.call("book", {"service_id": service.id, "starts_at": slot, "units": 2}, as_=who)  # type: ignore[attr-defined]

    bookings, vouchers = await kit.export_member(chen)
    assert (bookings["kind"], vouchers["kind"]) == ("bookings", "vouchers")
    (mine,) = bookings["records"]
    assert mine["resident_id"] == chen.id and len(mine["start_code"]) == 6
    assert mine["amount"] == 9000 and mine["charge_id"]

    erased = await kit.erase_member(chen)
    assert erased.erased == 1 and "accounting" in erased.kept

    mine_now = await kit.call("my-bookings", {}, as_=chen)
    assert isinstance(mine_now, BookingList)
    (kept,) = mine_now.items
    assert (kept.start_code, kept.completion_code) == ("", "")  # nothing of theirs left
    assert kept.price.amount == 9000  # the money record stays
    theirs = await kit.call("my-bookings", {}, as_=liu)
    assert theirs.items[0].start_code  # type: ignore[attr-defined]  # the neighbour keeps theirs
    assert (await kit.erase_member(chen)).erased == 0
