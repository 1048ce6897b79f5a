"""``host.notifications`` in the kit: what would be sent, by the platform's rules.

A member who opted out gets nothing, a send during quiet hours is held to their end, the rate
limit stops the eleventh of a kind in a day, a ``ref`` sends once, and a call that raises sends
nothing. Hypothesis draws the moment, the community's time zone, the quiet hours (spanning
midnight or not) and the opt-out, and checks each against a plain wall-clock oracle.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linli_sdk import (
    Community,
    Conflict,
    Context,
    InvalidInput,
    Manifest,
    NotFound,
    NotificationKind,
    Role,
    command,
)
from linli_sdk.testing import PluginKit
from pydantic import BaseModel


class Ready(BaseModel):
    member_id: int
    order: str
    fail: bool = False


class Sent(BaseModel):
    status: str


@command(Role.LEADER)
async def ready(ctx: Context[BaseModel], data: Ready) -> Sent:
    sent = await ctx.host.notifications.send(
        data.member_id, "ready_for_pickup", {"order": data.order}, ref=f"ready:{data.order}"
    )
    if data.fail:
        raise Conflict("changed my mind")
    return Sent(status=sent.status)


plugin = SimpleNamespace(
    manifest=Manifest(
        name="shop",
        version="1.0",
        sdk=">=1.0,<2",
        title="Shop",
        operations=(ready,),
        notification_kinds=(
            NotificationKind(
                name="ready_for_pickup",
                description="Your order is at the pickup point",
                text="Order {order} is ready",
            ),
        ),
    )
)

NOON = datetime(2026, 5, 1, 4, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.fixture
def shop(linli_kit):
    kit = linli_kit(plugin, community=Community(1, "c", "C", timezone="Asia/Shanghai"), now=NOON)
    kit.leader = kit.add_member("Wang", Role.LEADER)
    kit.resident = kit.add_member("Li", Role.RESIDENT)
    return kit


async def test_a_notification_is_sent_with_its_data_and_text(shop):
    answer = await shop.call(
        "ready", {"member_id": shop.resident.id, "order": "o-1"}, as_=shop.leader
    )

    assert answer.status == "queued"
    [sent] = shop.host.notifications.due()
    assert (sent.member_id, sent.kind, sent.deliver_at) == (
        shop.resident.id,
        "ready_for_pickup",
        NOON,
    )
    assert shop.host.notifications.contents[sent.id] == {"order": "o-1"}
    assert plugin.manifest.notification_kind("ready_for_pickup").render({"order": "o-1"}) == (
        "Order o-1 is ready"
    )


async def test_an_opted_out_member_gets_nothing(shop):
    shop.host.notifications.opt_out(shop.resident.id, "ready_for_pickup")
    answer = await shop.call(
        "ready", {"member_id": shop.resident.id, "order": "o-1"}, as_=shop.leader
    )

    assert answer.status == "opted_out"
    assert shop.host.notifications.due() == [] and shop.host.notifications.contents == {}


async def test_quiet_hours_hold_a_notification_until_they_end(shop):
    shop.clock = datetime(2026, 5, 1, 15, tzinfo=UTC)  # 23:00 in Shanghai
    answer = await shop.call(
        "ready", {"member_id": shop.resident.id, "order": "o-1"}, as_=shop.leader
    )

    assert answer.status == "held"
    assert shop.host.notifications.due() == []
    await shop.advance(timedelta(hours=8))  # 07:00
    [sent] = shop.host.notifications.due()
    assert sent.deliver_at == datetime(2026, 5, 1, 23, tzinfo=UTC)


async def test_the_rate_limit_stops_a_kind_once_the_member_had_enough(shop):
    shop.host.notifications.set_policy(rate_limit=2, quiet_start=time(0), quiet_end=time(0))
    statuses = [
        (
            await shop.call(
                "ready", {"member_id": shop.resident.id, "order": f"o-{i}"}, as_=shop.leader
            )
        ).status
        for i in range(3)
    ]
    assert statuses == ["queued", "queued", "rate_limited"]
    await shop.advance(timedelta(hours=24, seconds=1))
    again = await shop.call(
        "ready", {"member_id": shop.resident.id, "order": "o-9"}, as_=shop.leader
    )
    assert again.status == "queued"


async def test_a_ref_sends_once_and_a_call_that_raises_sends_nothing(shop):
    with pytest.raises(Conflict):
        await shop.call(
            "ready", {"member_id": shop.resident.id, "order": "o-1", "fail": True}, as_=shop.leader
        )
    assert shop.host.notifications.sent == []

    for _ in range(2):
        await shop.call("ready", {"member_id": shop.resident.id, "order": "o-1"}, as_=shop.leader)
    assert len(shop.host.notifications.sent) == 1


async def test_an_undeclared_kind_or_a_stranger_is_refused(shop):
    with pytest.raises(InvalidInput, match="not a notification kind"):
        await shop.host.notifications.send(shop.resident.id, "spam", {})
    with pytest.raises(NotFound):
        await shop.host.notifications.send(999, "ready_for_pickup", {})


ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]


def _quiet(local: time, start: time, end: time) -> bool:
    """The oracle: is the wall time ``local`` within [start, end), spanning midnight or not."""
    if start == end:
        return False
    return start <= local < end if start < end else (local >= start or local < end)


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
    start=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    end=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    opted_out=st.booleans(),
)
def test_opt_outs_and_quiet_hours_are_honoured_at_any_moment_in_any_zone(
    moment, zone, start, end, opted_out
):
    kit = PluginKit(plugin, community=Community(1, "c", "C", timezone=zone), now=moment)
    leader, resident = kit.add_member("Wang", Role.LEADER), kit.add_member("Li", Role.RESIDENT)
    kit.host.notifications.set_policy(quiet_start=start, quiet_end=end)
    if opted_out:
        kit.host.notifications.opt_out(resident.id, "ready_for_pickup")

    answer = asyncio.run(kit.call("ready", {"member_id": resident.id, "order": "o-1"}, as_=leader))
    [sent] = kit.host.notifications.sent
    local = moment.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)
    if opted_out:
        assert answer.status == "opted_out" and kit.host.notifications.due() == []
    elif _quiet(local, start, end):
        assert answer.status == "held" and kit.host.notifications.due() == []
        assert sent.deliver_at is not None and sent.deliver_at > moment
        arrives = sent.deliver_at.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)
        assert not _quiet(arrives, start, end)  # it goes out once quiet hours are over
        kit.clock = sent.deliver_at
        assert kit.host.notifications.due() == [sent]  # held, not dropped
    else:
        assert answer.status == "queued" and kit.host.notifications.due() == [sent]
