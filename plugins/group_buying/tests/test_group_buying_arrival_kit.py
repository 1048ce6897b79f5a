"""Goods at the pickup point on the SDK's test kit: each buyer told once it is ready."""

from __future__ import annotations

from datetime import timedelta

import pytest
from group_buying_kit_helpers import Community
from linli_group_buying.arrival import Arrival
from linli_sdk import Conflict, NotificationStatus


async def test_buyers_are_told_once_that_their_order_is_ready_unless_they_opted_out(
    gb: Community,
) -> None:
    opened = await gb.open()
    first = await gb.join(gb.residents[0], opened, 2)
    await gb.join(gb.residents[1], opened, 1)
    arrived = {"campaign_id": opened.id, "pickup_point": gb.point.name}
    with pytest.raises(Conflict, match="not confirmed"):
        await gb.kit.call("goods-arrived", arrived, as_=gb.host)
    await gb.kit.advance(timedelta(days=1))  # the campaign forms
    gb.kit.host.notifications.opt_out(gb.residents[1].id, "ready_for_pickup")

    told = await gb.kit.call("goods-arrived", arrived, as_=gb.host)
    again = await gb.kit.call("goods-arrived", arrived, as_=gb.leader)

    assert isinstance(told, Arrival) and told == again
    assert told.statuses == {"queued": 1, "opted_out": 1}
    [ready] = gb.kit.host.notifications.due()  # once, however often the arrival is reported
    assert (ready.member_id, ready.kind) == (gb.residents[0].id, "ready_for_pickup")
    assert gb.kit.host.notifications.contents[ready.id] == {
        "campaign": "Strawberries",
        "order_id": first.id,
        "pickup_point": gb.point.name,
    }
    statuses = [n.status for n in gb.kit.host.notifications.sent]
    assert statuses == [NotificationStatus.QUEUED, NotificationStatus.OPTED_OUT]
