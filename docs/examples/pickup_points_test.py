"""A module that asks the host who runs a pickup point, and counts days in local time.

A resident reserves a collection slot at one of the community's pickup points (自提点): the
module reads the point, its host and its leader from ``ctx.host.pickup_points`` (so it knows
whom to pay and whom to notify) and dates the slot by the community's local calendar
(``ctx.today``), not by UTC. Its kit tests follow: ``kit.add_pickup_point`` adds a point as the
platform's network would have it.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from linli_sdk import Community, Context, InvalidInput, Manifest, Role, command
from pydantic import BaseModel


class Reserve(BaseModel):
    """Where to collect: a pickup point of the community, by id."""

    pickup_point_id: int


class Slot(BaseModel):
    """The slot: its point, who hands the goods over, who leads the point, and the day."""

    point: str
    host_id: int
    leader_id: int | None
    day: date


class NoSettings(BaseModel):
    """This module has nothing to set."""


@command(Role.RESIDENT)
async def reserve_slot(ctx: Context[NoSettings], data: Reserve) -> Slot:
    """Reserve tomorrow's collection at a pickup point (tomorrow in the community's time)."""
    point = await ctx.host.pickup_points.get(data.pickup_point_id)
    if point is None or point.host_id is None:
        raise InvalidInput("choose an open pickup point", field="pickup_point_id")
    tomorrow = ctx.today + timedelta(days=1)
    return Slot(point=point.name, host_id=point.host_id, leader_id=point.leader_id, day=tomorrow)


manifest = Manifest(
    name="slots",
    version="0.1.0",
    sdk=">=0.1,<0.2",
    title="Collection slots",
    description="Residents reserve a collection slot at a pickup point.",
    settings=NoSettings,
    operations=(reserve_slot,),
)
slots = SimpleNamespace(manifest=manifest)
"""The plugin object (a module in a package of your own)."""

SHANGHAI = Community(id=1, slug="river-view", name="河景苑", timezone="Asia/Shanghai")


async def test_the_slot_names_the_points_host_and_leader(linli_kit):
    kit = linli_kit(slots, community=SHANGHAI)
    host = kit.add_member("Host Li", Role.PICKUP_HOST)
    leader = kit.add_member("Leader Wang", Role.LEADER)
    chen = kit.add_member("Resident Chen", Role.RESIDENT)
    lobby = kit.add_pickup_point("2号楼大堂 Building 2 lobby", host=host, leader=leader)

    slot = await kit.call("reserve-slot", {"pickup_point_id": lobby.id}, as_=chen)

    assert (slot.point, slot.host_id, slot.leader_id) == (lobby.name, host.id, leader.id)
    with pytest.raises(InvalidInput):
        await kit.call("reserve-slot", {"pickup_point_id": 99}, as_=chen)


async def test_tomorrow_is_counted_in_the_communitys_time_zone(linli_kit):
    # 17:00 UTC on 1 March is 01:00 on 2 March in Shanghai: tomorrow there is 3 March.
    kit = linli_kit(slots, community=SHANGHAI, now=datetime(2026, 3, 1, 17, tzinfo=UTC))
    chen = kit.add_member("Resident Chen", Role.RESIDENT)
    point = kit.add_pickup_point("Lockers", host=kit.add_member("Host", Role.PICKUP_HOST))

    slot = await kit.call("reserve-slot", {"pickup_point_id": point.id}, as_=chen)

    assert slot.day == date(2026, 3, 3)
    assert SHANGHAI.today(datetime(2026, 3, 1, 17, tzinfo=UTC)) == date(2026, 3, 2)
    assert SHANGHAI.start_of(date(2026, 3, 2)) == datetime(2026, 3, 1, 16, tzinfo=UTC)


if __name__ == "__main__":
    sys.exit(pytest.main(["-q", __file__]))
