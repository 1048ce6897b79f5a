"""Pickup days are counted in the community's time zone, and payees come from the network."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from group_buying_kit_helpers import community_of
from linli_group_buying import plugin as group_buying
from linli_group_buying.models import Order
from linli_group_buying.pickup import Pickup
from linli_sdk import Community, Role
from linli_sdk.testing import PluginKit
from piccolo.engine.sqlite import SQLiteEngine

SHANGHAI = Community(id=8, slug="river-view", name="河景苑", timezone="Asia/Shanghai")
CLOSES = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
"""07:00 on 3 March in Shanghai, still 2 March in UTC."""


async def test_a_pickup_on_the_local_pickup_day_is_on_time_in_shanghai(
    gb_db: SQLiteEngine, linli_kit: Callable[..., PluginKit]
) -> None:
    gb = community_of(linli_kit(group_buying, community=SHANGHAI, now=CLOSES - timedelta(hours=2)))
    await gb.kit.enable({"uncollected_days": 1})
    opened = await gb.open(deadline=CLOSES.isoformat())
    await gb.join(gb.residents[0], opened, 1)
    await gb.join(gb.residents[1], opened, 1)
    await gb.kit.advance(timedelta(hours=2))  # closes at 07:00 local time on 3 March
    (uncollected,) = [k for k in gb.kit.host.deadlines.pending if k.startswith("uncollected:")]
    # One pickup day after the delivery day: until midnight ending 4 March, Shanghai time.
    assert gb.kit.host.deadlines.pending[uncollected].due == datetime(2026, 3, 4, 16, tzinfo=UTC)

    await gb.kit.advance(timedelta(hours=30))  # 21:00 on 4 March local (13:00 UTC)
    order = (await gb.kit.call("my-orders", {}, as_=gb.residents[0])).items[0]  # type: ignore[attr-defined]
    picked = await gb.kit.call("verify-pickup", {"code": order.pickup_code}, as_=gb.host)
    assert isinstance(picked, Pickup) and picked.order.status == "collected"
    on_time = gb.kit.host.credit.events[f"collected-{order.id}"]
    assert on_time == (gb.residents[0].id, "collected_on_time", 2)  # UTC dates said: late


async def test_the_leader_share_goes_to_the_pickup_points_leader(
    gb_db: SQLiteEngine, linli_kit: Callable[..., PluginKit]
) -> None:
    gb = community_of(linli_kit(group_buying, community=SHANGHAI, now=CLOSES))
    point_leader = gb.kit.add_member("Leader Ma", Role.LEADER, Role.RESIDENT)
    led = gb.kit.add_pickup_point("Gate 2 kiosk", host=gb.host, leader=point_leader)
    opened = await gb.open(pickup_point_ids=[gb.point.id, led.id])
    payees: dict[str, dict[str, int]] = {}
    charge = gb.kit.host.payments.charge

    async def spy(**asked: Any) -> Any:
        payees[asked["order_ref"]] = dict(asked["payees"])
        return await charge(**asked)

    gb.kit.host.payments.charge = spy  # type: ignore[method-assign]
    at_led = await gb.kit.call(
        "join-campaign",
        {"campaign_id": opened.id, "quantity": 1, "pickup_point_id": led.id},
        as_=gb.residents[0],
    )
    at_unled = await gb.join(gb.residents[1], opened, 1)
    assert isinstance(at_led, Order)
    assert payees[f"order-{at_led.id}"]["leader"] == point_leader.id
    assert payees[f"order-{at_led.id}"]["pickup_host"] == gb.host.id
    assert payees[f"order-{at_unled.id}"]["leader"] == gb.leader.id  # the campaign's


async def test_the_monthly_claim_limit_starts_again_at_local_midnight(
    gb_db: SQLiteEngine, linli_kit: Callable[..., PluginKit]
) -> None:
    start = datetime(2026, 3, 30, 12, tzinfo=UTC)
    gb = community_of(linli_kit(group_buying, community=SHANGHAI, now=start))
    await gb.kit.enable({"claim_monthly_limit": 1000})
    opened = await gb.open()
    await gb.join(gb.residents[0], opened, 2)
    await gb.join(gb.residents[1], opened, 1)
    await gb.kit.advance(timedelta(days=1))  # 20:00 on 31 March in Shanghai
    order = (await gb.kit.call("my-orders", {}, as_=gb.residents[0])).items[0]  # type: ignore[attr-defined]
    await gb.kit.call("verify-pickup", {"code": order.pickup_code}, as_=gb.host)

    async def claim() -> Any:
        photo = await gb.kit.upload(b"\xff\xd8 bruised")
        data = {"order_id": order.id, "damaged": 1, "photo": photo}
        return await gb.kit.call("claim-damage", data, as_=gb.residents[0])

    march = await claim()
    assert march.status == "compensated" and march.compensation.amount == 1000
    await gb.kit.advance(timedelta(hours=5))  # 01:00 on 1 April in Shanghai, March in UTC
    april = await claim()
    assert april.status == "compensated" and april.compensation.amount == 1000
